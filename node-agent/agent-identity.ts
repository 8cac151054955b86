import { randomUUID } from 'node:crypto';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

/**
 * An agent keeps one id for life (stored in its data folder), so the controller recognises
 * it across restarts and address changes and can reconcile the tasks it held.
 */
export async function loadOrCreateAgentId(dataDir: string): Promise<string> {
  const file = join(dataDir, 'agent-id');
  const existing = (await readFile(file, 'utf8').catch(() => '')).trim();
  if (/^[A-Za-z0-9-]{8,64}$/.test(existing)) return existing;
  const id = randomUUID();
  await mkdir(dataDir, { recursive: true });
  await writeFile(file, `${id}\n`);
  return id;
}
