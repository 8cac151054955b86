import { compareVersions, majorMinor, type BlenderTaskSpec } from '../../../../node-agent/protocol/index.js';
import { InputError } from '../../input-error.js';
import type { SceneInfo } from './scene-probe.js';

/**
 * Which Blender a job's tasks need: at least the major.minor that saved the file (when the
 * reader knows it), and the one `--blender-version` pins. Agents apply the same rule
 * (chooseBlender), and the scheduler sends a task only where it finds one.
 */
export function blenderWant(sceneName: string, info: SceneInfo | null, pin: string | undefined): BlenderTaskSpec['blender'] {
  const saved = info?.fileVersion?.saved;
  const atLeast = saved === undefined ? undefined : majorMinor(saved);
  const pinned = pin === undefined ? undefined : majorMinor(pin);
  if (pinned !== undefined && atLeast !== undefined && compareVersions(pinned, atLeast) < 0) throw new BlenderPinTooOldError(sceneName, pinned, atLeast);
  if (atLeast === undefined && pinned === undefined) return undefined;
  return { ...(atLeast !== undefined ? { atLeast } : {}), ...(pinned !== undefined ? { pin: pinned } : {}) };
}

/** A pin older than the Blender that saved the file: that Blender would open it losing data, so the submit is refused. */
export class BlenderPinTooOldError extends InputError {
  override name = 'BlenderPinTooOldError';
  constructor(sceneName: string, pin: string, saved: string) {
    super(`The job asks for Blender ${pin}, but ${sceneName} was saved by Blender ${saved}, which an older Blender opens with loss of data; pin ${saved} or newer with --blender-version, or leave it out.`);
  }
}
