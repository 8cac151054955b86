import { mkdirSync, readFileSync, realpathSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { GpuDeviceSchema, type GpuDevice } from './protocol/messages.js';

/**
 * Remembers which GPUs Cycles saw through each Blender (gpu-probe.ts), so a restart does not
 * start Blender a second time (the version is cached beside it, tool-version-cache.ts). An
 * entry counts only for the same Blender: same real path, inode, size and modification time,
 * and the same version; a new Blender, a moved one or a changed file is probed again, and
 * `--reprobe` ignores every entry (a GPU added or a driver installed changes no Blender file).
 * A cache that cannot be read or written is simply not used.
 */

interface Entry {
  ino: number;
  size: number;
  mtimeMs: number;
  version: string;
  devices: GpuDevice[];
}

/** Where an agent keeps what its Blenders' device probes found. */
export function deviceCacheFile(dataDir: string): string {
  return join(dataDir, 'gpu-devices.json');
}

export class GpuDeviceCache {
  private entries: Record<string, Entry> = {};
  private dirty = false;

  /** `ignoreEntries`: `--reprobe`, every Blender is probed again (and the answers stored). */
  constructor(private readonly file: string | undefined, ignoreEntries = false) {
    if (!file || ignoreEntries) return;
    try {
      const parsed = JSON.parse(readFileSync(file, 'utf8')) as unknown;
      if (parsed && typeof parsed === 'object') this.entries = parsed as Record<string, Entry>;
    } catch {
      // no cache yet, or an unreadable one: probe every Blender
    }
  }

  /** The devices last found through this Blender, or null when it must be probed. */
  get(path: string, version: string): GpuDevice[] | null {
    const id = identify(path);
    const entry = id ? this.entries[id.real] : undefined;
    if (!id || !entry || entry.version !== version || !Array.isArray(entry.devices)) return null;
    if (entry.ino !== id.ino || entry.size !== id.size || entry.mtimeMs !== id.mtimeMs) return null;
    const devices = entry.devices.map((d) => GpuDeviceSchema.safeParse(d));
    return devices.every((d) => d.success) ? devices.map((d) => d.data!) : null;
  }

  set(path: string, version: string, devices: readonly GpuDevice[]): void {
    const id = identify(path);
    if (!id) return;
    this.entries[id.real] = { ino: id.ino, size: id.size, mtimeMs: id.mtimeMs, version, devices: [...devices] };
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
