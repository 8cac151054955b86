import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { mkdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { writeFileAtomic } from '../../store/atomic-write.js';

/**
 * sha256 of dependency files, remembered by path, size and modification time in the farm's
 * data folder, so submitting a shot again (or the next shot sharing its 2 GB of textures)
 * hashes nothing that did not change. A file changed in place keeps its path but not its
 * mtime, so the key catches it; a damaged cache file is ignored and rewritten.
 */

export const HASH_CACHE_FILE = 'dependency-hashes.json';
/** Enough for many shows' texture libraries; beyond it the least recently used entries go. */
const MAX_ENTRIES = 200_000;

/** Saves of one cache file in this process, one after another (two submits at once share the temp file name). */
const saving = new Map<string, Promise<void>>();

interface Entry {
  size: number;
  mtimeMs: number;
  sha256: string;
  usedAt: number;
}

export class DependencyHashCache {
  /** Files actually read and hashed by this cache object (the rest came from the cache). */
  hashedFiles = 0;
  private entries = new Map<string, Entry>();
  private loaded: Promise<void> | undefined;
  private changed = false;

  constructor(private readonly home: string) {}

  get file(): string {
    return join(this.home, HASH_CACHE_FILE);
  }

  async sha256(path: string, size: number, mtimeMs: number): Promise<string> {
    await this.load();
    const known = this.entries.get(path);
    const now = Date.now();
    if (known && known.size === size && known.mtimeMs === mtimeMs) {
      known.usedAt = now;
      return known.sha256;
    }
    const hash = createHash('sha256');
    await pipeline(createReadStream(path, { highWaterMark: 1024 * 1024 }), hash);
    this.hashedFiles++;
    const sha256 = hash.digest('hex');
    this.entries.set(path, { size, mtimeMs, sha256, usedAt: now });
    this.changed = true;
    return sha256;
  }

  /** Writes the cache if anything was added (atomically: a crash leaves the last good copy). */
  async save(): Promise<void> {
    if (!this.changed) return;
    let entries = [...this.entries];
    if (entries.length > MAX_ENTRIES) entries = entries.sort((a, b) => b[1].usedAt - a[1].usedAt).slice(0, MAX_ENTRIES);
    this.changed = false;
    const text = JSON.stringify({ version: 1, files: Object.fromEntries(entries) });
    // Only a cost saving: a data folder that cannot be written must not refuse a submit.
    const write = async () => {
      await mkdir(this.home, { recursive: true });
      await writeFileAtomic(this.file, text);
    };
    const turn = (saving.get(this.file) ?? Promise.resolve()).then(write).catch(() => undefined);
    saving.set(this.file, turn);
    await turn;
    if (saving.get(this.file) === turn) saving.delete(this.file);
  }

  /** Once, however many hashes are asked for at the same time. */
  private load(): Promise<void> {
    return (this.loaded ??= this.read());
  }

  private async read(): Promise<void> {
    try {
      const raw = JSON.parse(await readFile(this.file, 'utf8')) as { version?: number; files?: Record<string, Entry> };
      if (raw.version !== 1 || !raw.files) return;
      for (const [path, e] of Object.entries(raw.files)) {
        if (typeof e?.sha256 === 'string' && typeof e.size === 'number' && typeof e.mtimeMs === 'number') this.entries.set(path, { ...e, usedAt: e.usedAt ?? 0 });
      }
    } catch {
      // none yet, or unreadable: start empty
    }
  }
}
