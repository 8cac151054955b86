import { chmod, mkdir, readFile, writeFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { generateFarmKey, parseFarmKey } from '../../node-agent/protocol/index.js';
import { loadOrCreateIdFile } from '../../node-agent/host/id-file.js';

/**
 * The controller's data folder (`FARMHAND_HOME`, default `~/.farmhand`): the farm key, the
 * controller's id, the job store and the embedded local agent's data.
 */
export function farmHome(explicit?: string): string {
  return explicit ?? process.env.FARMHAND_HOME ?? join(homedir(), '.farmhand');
}

/** Reads the farm key, creating it on first use (readable by this user only). */
export async function loadOrCreateFarmKey(home: string): Promise<string> {
  const file = join(home, 'farm-key');
  const existing = await readFile(file, 'utf8').catch((error: NodeJS.ErrnoException) => {
    if (error.code === 'ENOENT') return null;
    throw error;
  });
  if (existing !== null) return parseFarmKey(existing, file);
  const key = generateFarmKey();
  await mkdir(home, { recursive: true });
  await writeFile(file, `${key}\n`, { mode: 0o600, flag: 'wx' }).catch(async (error: NodeJS.ErrnoException) => {
    if (error.code !== 'EEXIST') throw error; // another process created it first: use theirs
  });
  await chmod(file, 0o600).catch(() => undefined);
  return parseFarmKey(await readFile(file, 'utf8'), file);
}

/** The controller's id for life, so agents recognise the controller that holds their tasks. */
export function loadOrCreateControllerId(home: string): Promise<string> {
  return loadOrCreateIdFile(home, 'controller-id');
}
