import { randomBytes } from 'node:crypto';
import { copyFile, link, mkdir, readdir, rename, rm, stat, unlink, utimes } from 'node:fs/promises';
import { join } from 'node:path';

/** A cached file as eviction sees it. */
export interface CachedEntry {
  sha256: string;
  size: number;
  /** When a task last asked for it (ms): the least recently used goes first. */
  lastUse: number;
}

/**
 * The files to delete so the cache fits in `limit` bytes: least recently used first, never one
 * `keep` says a task or a workspace needs (the cache may then stay over its limit).
 */
export function chooseEvictions(entries: readonly CachedEntry[], limit: number, keep: (sha256: string) => boolean): string[] {
  let total = entries.reduce((n, e) => n + e.size, 0);
  const chosen: string[] = [];
  for (const entry of [...entries].sort((a, b) => a.lastUse - b.lastUse)) {
    if (total <= limit) break;
    if (keep(entry.sha256)) continue;
    chosen.push(entry.sha256);
    total -= entry.size;
  }
  return chosen;
}

/**
 * Input files kept by content hash (`<dataDir>/inputs/<sha256>`), so a scene the agent
 * already has is never sent again. Files land in `tmp/` first and are renamed into place
 * only after their hash was checked, so the cache never holds a partial file.
 *
 * With a size limit, whenever a file comes in the least recently used files go until the cache
 * fits, except any a running task has pinned or a live job workspace links to.
 */
export class InputCache {
  private readonly dir: string;
  private readonly tmpDir: string;
  /** Requests under way, so two tasks needing the same input share one transfer. */
  private readonly waiting = new Map<string, { promise: Promise<string>; resolve(path: string): void; reject(error: Error): void }>();
  private readonly entries = new Map<string, CachedEntry>();
  private readonly pins = new Map<string, number>();
  private evicting: Promise<void> = Promise.resolve();
  private liveHashes: () => ReadonlySet<string> = () => new Set();
  private clock = 0;

  /** `limitBytes`: the most the cache keeps (undefined: no limit). */
  constructor(dataDir: string, private readonly limitBytes?: number) {
    this.dir = join(dataDir, 'inputs');
    this.tmpDir = join(this.dir, 'tmp');
  }

  async init(): Promise<void> {
    await rm(this.tmpDir, { recursive: true, force: true });
    await mkdir(this.tmpDir, { recursive: true });
    for (const name of await readdir(this.dir)) {
      if (!/^[0-9a-f]{64}$/.test(name)) continue;
      const info = await stat(join(this.dir, name)).catch(() => null);
      if (info?.isFile()) this.entries.set(name, { sha256: name, size: info.size, lastUse: info.mtimeMs });
    }
    await this.evict();
  }

  /** Files a live workspace links to (job-workspace.ts): never evicted. */
  keepLive(hashes: () => ReadonlySet<string>): void {
    this.liveHashes = hashes;
  }

  /** A task needs these files until the returned function is called: they are not evicted meanwhile. */
  pin(hashes: readonly string[]): () => void {
    for (const sha of hashes) this.pins.set(sha, (this.pins.get(sha) ?? 0) + 1);
    let done = false;
    return () => {
      if (done) return;
      done = true;
      for (const sha of hashes) {
        const n = (this.pins.get(sha) ?? 1) - 1;
        if (n <= 0) this.pins.delete(sha);
        else this.pins.set(sha, n);
      }
    };
  }

  /** Bytes the cache holds. */
  get totalBytes(): number {
    let total = 0;
    for (const e of this.entries.values()) total += e.size;
    return total;
  }

  /** Deletes least recently used files until the cache fits its limit (one pass at a time). */
  evict(): Promise<void> {
    if (this.limitBytes === undefined) return Promise.resolve();
    const limit = this.limitBytes;
    this.evicting = this.evicting.then(async () => {
      const live = this.liveHashes();
      const keep = (sha: string) => this.pins.has(sha) || live.has(sha) || this.waiting.has(sha);
      for (const sha of chooseEvictions([...this.entries.values()], limit, keep)) {
        if (keep(sha)) continue; // a task may have asked for it since the choice
        await unlink(this.pathOf(sha)).catch(() => undefined);
        this.entries.delete(sha);
      }
    }).catch(() => undefined);
    return this.evicting;
  }

  pathOf(sha256: string): string {
    if (!/^[0-9a-f]{64}$/.test(sha256)) throw new Error(`not a sha256: ${sha256.slice(0, 80)}`);
    return join(this.dir, sha256);
  }

  async has(sha256: string, size: number): Promise<boolean> {
    const info = await stat(this.pathOf(sha256)).catch(() => null);
    if (!info || info.size !== size) return false;
    const now = new Date();
    this.entries.set(sha256, { sha256, size, lastUse: this.tick() });
    await utimes(this.pathOf(sha256), now, now).catch(() => undefined); // recency survives a restart
    return true;
  }

  isAwaited(sha256: string): boolean {
    return this.waiting.has(sha256);
  }

  /**
   * Resolves with the cached path once the file is present. `request` is called only for
   * the first waiter of a hash (it asks the controller to send the file).
   */
  async obtain(sha256: string, size: number, request: () => void): Promise<string> {
    if (await this.has(sha256, size)) return this.pathOf(sha256);
    const existing = this.waiting.get(sha256);
    if (existing) return existing.promise;
    let resolve!: (path: string) => void;
    let reject!: (error: Error) => void;
    const promise = new Promise<string>((res, rej) => ((resolve = res), (reject = rej)));
    promise.catch(() => undefined);
    this.waiting.set(sha256, { promise, resolve, reject });
    request();
    return promise;
  }

  tempPath(): string {
    return join(this.tmpDir, randomBytes(8).toString('hex'));
  }

  /** A verified file arrived: move it into the cache and wake its waiters. */
  async commit(tempPath: string, sha256: string): Promise<void> {
    await rename(tempPath, this.pathOf(sha256));
    await this.track(sha256);
    this.waiting.get(sha256)?.resolve(this.pathOf(sha256));
    this.waiting.delete(sha256);
    void this.evict();
  }

  private async track(sha256: string): Promise<void> {
    const info = await stat(this.pathOf(sha256)).catch(() => null);
    if (info) this.entries.set(sha256, { sha256, size: info.size, lastUse: this.tick() });
  }

  /** Now in ms, strictly increasing: two uses in one millisecond still have an order. */
  private tick(): number {
    this.clock = Math.max(Date.now(), this.clock + 1);
    return this.clock;
  }

  /**
   * Keeps a file this agent produced (a video chunk) as a cached input, so the task that
   * consumes it here needs no transfer. A hard link: no copy while the hold also has it.
   */
  async adopt(path: string, sha256: string): Promise<void> {
    const target = this.pathOf(sha256);
    if (await stat(target).then(() => true, () => false)) return;
    const temp = this.tempPath();
    await link(path, temp).catch(() => copyFile(path, temp));
    await rename(temp, target);
    await this.track(sha256);
    void this.evict();
  }

  fail(sha256: string, reason: string): void {
    this.waiting.get(sha256)?.reject(new Error(reason));
    this.waiting.delete(sha256);
  }

  /** The controller went away: every pending transfer fails so its tasks report instead of hanging. */
  failAll(reason: string): void {
    for (const sha of [...this.waiting.keys()]) this.fail(sha, reason);
  }
}
