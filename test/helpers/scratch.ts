import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** A fresh folder under the OS temp dir per test, so tests never share files or clean up each other's. */
export async function makeScratchDir(prefix: string): Promise<{ dir: string; cleanup: () => Promise<void> }> {
  const dir = await mkdtemp(join(tmpdir(), `${prefix.replace(/[^A-Za-z0-9._-]+/g, '-')}-`));
  return { dir, cleanup: () => rm(dir, { recursive: true, force: true }) };
}
