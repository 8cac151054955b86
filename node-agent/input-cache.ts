import { randomBytes } from 'node:crypto';
import { copyFile, link, mkdir, rename, rm, stat, utimes } from 'node:fs/promises';
import { join } from 'node:path';

/**
 * Input files kept by content hash (`<dataDir>/inputs/<sha256>`), so a scene the agent
 * already has is never sent again. Files land in `tmp/` first and are renamed into place
 * only after their hash was checked, so the cache never holds a partial file.
 */
export class InputCache {
  private readonly dir: string;
  private readonly tmpDir: string;
  /** Requests under way, so two tasks needing the same input share one transfer. */
  private readonly waiting = new Map<string, { promise: Promise<string>; resolve(path: string): void; reject(error: Error): void }>();

  constructor(dataDir: string) {
    this.dir = join(dataDir, 'inputs');
    this.tmpDir = join(this.dir, 'tmp');
  }

  async init(): Promise<void> {
    await rm(this.tmpDir, { recursive: true, force: true });
    await mkdir(this.tmpDir, { recursive: true });
  }

  pathOf(sha256: string): string {
    if (!/^[0-9a-f]{64}$/.test(sha256)) throw new Error(`not a sha256: ${sha256.slice(0, 80)}`);
    return join(this.dir, sha256);
  }

  async has(sha256: string, size: number): Promise<boolean> {
    const info = await stat(this.pathOf(sha256)).catch(() => null);
    if (!info || info.size !== size) return false;
    const now = new Date();
    await utimes(this.pathOf(sha256), now, now).catch(() => undefined); // recency, for a future eviction policy
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
    this.waiting.get(sha256)?.resolve(this.pathOf(sha256));
    this.waiting.delete(sha256);
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
