import { mkdirSync, readFileSync, realpathSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';

/**
 * Remembers what `blender --version` / `ffmpeg -version` answered, per executable file, so an
 * agent restart does not pay Blender's half-second start-up just to learn a version it already
 * knew. An entry counts only while the file is the same one (real path, inode, size and
 * modification time all unchanged): an upgrade or a replaced binary is probed again. A cache
 * that cannot be read or written is simply not used.
 */

interface Entry {
  ino: number;
  size: number;
  mtimeMs: number;
  version: string;
}

export class ToolVersionCache {
  private entries: Record<string, Entry> = {};
  private dirty = false;

  constructor(private readonly file: string | undefined) {
    if (!file) return;
    try {
      const parsed = JSON.parse(readFileSync(file, 'utf8')) as unknown;
      if (parsed && typeof parsed === 'object') this.entries = parsed as Record<string, Entry>;
    } catch {
      // no cache yet, or an unreadable one: probe everything
    }
  }

  get(path: string): string | null {
    const id = identify(path);
    const entry = id ? this.entries[id.real] : undefined;
    if (!id || !entry || typeof entry.version !== 'string') return null;
    return entry.ino === id.ino && entry.size === id.size && entry.mtimeMs === id.mtimeMs ? entry.version : null;
  }

  set(path: string, version: string): void {
    const id = identify(path);
    if (!id) return;
    this.entries[id.real] = { ino: id.ino, size: id.size, mtimeMs: id.mtimeMs, version };
    this.dirty = true;
  }

  save(): void {
    if (!this.file || !this.dirty) return;
    try {
      mkdirSync(dirname(this.file), { recursive: true });
      const temp = `${this.file}.tmp`;
      writeFileSync(temp, JSON.stringify(this.entries));
      renameSync(temp, this.file);
      this.dirty = false;
    } catch {
      // a read-only data folder only costs a probe at the next start
    }
  }
}

function identify(path: string): { real: string; ino: number; size: number; mtimeMs: number } | null {
  try {
    const real = realpathSync(path);
    const s = statSync(real);
    return { real, ino: s.ino, size: s.size, mtimeMs: s.mtimeMs };
  } catch {
    return null;
  }
}
