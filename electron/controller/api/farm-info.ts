import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { resolveExecutable } from '../../../node-agent/host/find-executable.js';
import { findBlender } from '../jobs/blender/find-blender.js';
import { findFfprobe } from '../jobs/transcode/media-probe.js';
import type { FarmInfo } from './contract.js';

/**
 * `farm.info`: what the settings view shows about the controller: the pairing code, the
 * folders, the version and which tools this machine has. Tools are looked up on each call, so
 * installing Blender while the controller runs shows without a restart.
 */

export interface FarmInfoSources {
  farmKey: string;
  discovery: boolean;
  outputRoot: string;
  home: string;
  blenderPath?: string;
  ffmpegPath?: string;
  ffprobePath?: string;
}

export function farmInfo(o: FarmInfoSources): FarmInfo {
  return {
    farmKey: o.farmKey,
    discovery: o.discovery,
    outputRoot: o.outputRoot,
    dataFolder: o.home,
    version: farmhandVersion(),
    tools: {
      blender: findBlender(o.blenderPath),
      ffmpeg: resolveExecutable(o.ffmpegPath ?? (process.env.FARMHAND_FFMPEG || 'ffmpeg')),
      ffprobe: findFfprobe(o.ffprobePath),
    },
  };
}

let cachedVersion: string | null = null;

/**
 * The version in Farmhand's package.json: the nearest one upwards of this module, which is
 * where it is whether this runs bundled (dist/bundle), compiled (dist/electron) or from source.
 */
export function farmhandVersion(): string {
  if (cachedVersion !== null) return cachedVersion;
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 8; i++) {
    const file = join(dir, 'package.json');
    if (existsSync(file)) {
      try {
        const version = (JSON.parse(readFileSync(file, 'utf8')) as { version?: unknown }).version;
        return (cachedVersion = typeof version === 'string' ? version : 'unknown');
      } catch {
        return (cachedVersion = 'unknown');
      }
    }
    const parent = dirname(dir);
    if (parent === dir) break;
    dir = parent;
  }
  return (cachedVersion = 'unknown');
}
