import { rename } from 'node:fs/promises';
import { basename } from 'node:path';

/**
 * A file or folder the store cannot read is never overwritten or deleted: it is renamed to
 * `<name>.unreadable-<timestamp>` beside itself, so a person can still recover it, and the
 * store reports what it did in one sentence.
 */

/**
 * Renames `path` aside. `says(aside)` words the report: `aside` is the new name, or null when
 * even the rename failed (then `says` gets the reason as its second argument).
 */
export async function setAside(path: string, says: (aside: string | null, renameError?: string) => string): Promise<string> {
  const aside = `${path}.unreadable-${new Date().toISOString().replace(/[:.]/g, '-')}`;
  try {
    await rename(path, aside);
    return says(basename(aside));
  } catch (error) {
    return says(null, describe(error));
  }
}

/** An error as a short clause for a one-sentence report. */
export function describe(error: unknown): string {
  const code = (error as NodeJS.ErrnoException | null)?.code;
  if (code === 'ENOENT') return 'it is missing';
  const text = error instanceof Error ? error.message : String(error);
  return text.length > 120 ? `${text.slice(0, 117)}...` : text;
}
