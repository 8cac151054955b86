import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

/**
 * A lifelong id kept in a data folder (the controller's `controller-id`, an agent's
 * `agent-id`): the other side recognises it across restarts and address changes. A missing
 * or unreadable file gets a fresh id, written for the next start.
 */
export async function loadOrCreateIdFile(dir: string, fileName: string): Promise<string> {
  const file = join(dir, fileName);
  // Read synchronously (a few bytes): a start's first connections need the id, and an asynchronous read would queue behind whatever else the start began.
  const existing = readIdNow(file);
  if (/^[A-Za-z0-9-]{8,64}$/.test(existing)) return existing;
  const id = randomUUID();
  await mkdir(dir, { recursive: true });
  await writeFile(file, `${id}\n`);
  return id;
}

function readIdNow(file: string): string {
  try {
    return readFileSync(file, 'utf8').trim();
  } catch {
    return '';
  }
}
