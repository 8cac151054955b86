import { spawn } from 'node:child_process';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { findBlender } from '../../electron/controller/jobs/blender/find-blender.js';

/**
 * Runs a Blender Python script the way every test fixture builds its scenes: background, no
 * audio, factory settings, a scratch HOME (Blender writes there), and exit code 2 when the script
 * raises. Resolves with Blender's output; rejects naming `what` with the output's tail.
 */
export async function runBlenderScript(args: string[], o: { home: string; what: string }): Promise<string> {
  const blender = findBlender();
  if (!blender) throw new Error('Blender is not installed; install it (apt-get install blender) or set FARMHAND_BLENDER to run these tests.');
  await mkdir(join(o.home, '.cache'), { recursive: true });
  return new Promise<string>((resolve, reject) => {
    const child = spawn(blender, ['-b', '-noaudio', '--factory-startup', '--python-exit-code', '2', ...args], { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, HOME: o.home, XDG_CACHE_HOME: join(o.home, '.cache') } });
    let text = '';
    child.stdout.on('data', (c: Buffer) => (text += c.toString()));
    child.stderr.on('data', (c: Buffer) => (text += c.toString()));
    child.once('error', reject);
    child.once('close', (code) => (code === 0 ? resolve(text) : reject(new Error(`Blender could not build the ${o.what} (exit ${code}):\n${text.slice(-4000)}`))));
  });
}
