import { rename, rm, writeFile } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';

/**
 * Writes a whole file or nothing: the text goes to a temp file beside it (`.<name>.tmp`, the
 * name lowdb's steno used, so leftovers of either look alike), which is then renamed over the
 * file. A failed write, a full disk above all, leaves the last good copy in place and removes
 * its partial temp file, which would otherwise hold on to the very space that ran out.
 */

/** Renames that hit a file another program holds open (Windows: EPERM, EBUSY) are retried a little, as steno did. */
const RENAME_TRIES = 10;
const RENAME_RETRY_MS = 100;

export function tempFileFor(file: string): string {
  return join(dirname(file), `.${basename(file)}.tmp`);
}

export async function writeFileAtomic(file: string, text: string): Promise<void> {
  const temp = tempFileFor(file);
  try {
    await writeFile(temp, text, 'utf8');
    for (let tries = 1; ; tries++) {
      try {
        await rename(temp, file);
        return;
      } catch (error) {
        const code = (error as NodeJS.ErrnoException).code;
        if (tries >= RENAME_TRIES || (code !== 'EPERM' && code !== 'EBUSY' && code !== 'EACCES')) throw error;
        await new Promise((resolve) => setTimeout(resolve, RENAME_RETRY_MS));
      }
    }
  } catch (error) {
    await rm(temp, { force: true }).catch(() => undefined);
    throw error;
  }
}
