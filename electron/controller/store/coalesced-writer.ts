import { DataFile } from 'lowdb/node';

/**
 * Keeps one JSON document on disk in step with an in-memory value without writing on every
 * change. Callers mutate the value and call `markDirty()`; the writer waits a short moment so
 * a burst of changes becomes one write, never has more than one write in flight, and writes
 * once more if the value changed while it was writing. Writes go through lowdb's `DataFile`
 * (steno: temp file + rename), so a reader or a crash only ever sees a whole document.
 *
 * Why generations instead of a dirty flag: `flush()` must finish even while changes keep
 * streaming in, so it waits for "everything marked before I was called", not for "clean".
 */

export interface CoalescedWriterOptions {
  /** How long a change waits for others before it is written; 0 writes on the next turn (setImmediate). */
  delayMs?: number;
  /** After a failed write, how long a new change waits before the retry (a flush retries at once). */
  retryDelayMs?: number;
  /**
   * At most this share of the main thread goes to serialising: after a write whose synchronous
   * part (snapshot + JSON.stringify) took S ms, the next one starts no sooner than S / share ms
   * after it. Small documents are unaffected; a huge job is written less often instead of
   * starving dispatch. A flush ignores it. Default 0.1.
   */
  busyShare?: number;
  /** A write failed; it is retried on the next change or flush. Never thrown into the event loop. */
  onError?(error: Error): void;
  /** A write reached the disk (for tests and measurements). */
  onWrite?(file: string): void;
}

export const DEFAULT_WRITE_DELAY_MS = 25;
const DEFAULT_RETRY_DELAY_MS = 1000;
const DEFAULT_BUSY_SHARE = 0.1;

export class CoalescedWriter<T> {
  readonly file: string;
  readonly #data: DataFile<T>;
  readonly #snapshot: () => T;
  readonly #delayMs: number;
  readonly #retryDelayMs: number;
  readonly #busyShare: number;
  readonly #onError: (error: Error) => void;
  readonly #onWrite: ((file: string) => void) | undefined;
  /** Generation of the latest change, and the generation the disk is known to hold. */
  #marked = 0;
  #written = 0;
  #timer: { cancel(): void } | null = null;
  #inFlight: Promise<void> | null = null;
  #lastError: Error | null = null;
  /** performance.now() before which the next unforced write should not start (see busyShare). */
  #notBefore = 0;
  #closed = false;

  /** `snapshot` returns the current value; it is read at write time, so in-place edits are seen. */
  constructor(file: string, snapshot: () => T, o: CoalescedWriterOptions = {}) {
    this.file = file;
    this.#data = new DataFile<T>(file, { parse: (text) => JSON.parse(text) as T, stringify: (value) => JSON.stringify(value) });
    this.#snapshot = snapshot;
    this.#delayMs = o.delayMs ?? DEFAULT_WRITE_DELAY_MS;
    this.#retryDelayMs = o.retryDelayMs ?? DEFAULT_RETRY_DELAY_MS;
    this.#busyShare = Math.min(1, Math.max(0.001, o.busyShare ?? DEFAULT_BUSY_SHARE));
    this.#onError = o.onError ?? ((error) => console.error(error.message));
    this.#onWrite = o.onWrite;
  }

  /** True while something marked has not reached the disk yet. */
  get dirty(): boolean {
    return this.#written < this.#marked;
  }

  /** True while a write is in progress. */
  get writing(): boolean {
    return this.#inFlight !== null;
  }

  /** The value changed: schedule a write. Ignored after `close()`. */
  markDirty(): void {
    if (this.#closed) return;
    this.#marked++;
    if (!this.#inFlight) this.#schedule();
  }

  /**
   * Resolves once everything marked before the call is on disk. A failed write is retried
   * once here; if that fails too, the promise rejects with the error (also sent to onError).
   */
  async flush(): Promise<void> {
    const target = this.#marked;
    while (this.#written < target) {
      if (this.#inFlight) {
        await this.#inFlight;
        continue;
      }
      this.#cancelTimer();
      await this.#write();
      if (this.#written < target) throw this.#lastError ?? new Error(`Could not write ${this.file}.`);
    }
  }

  /** Flushes, then stops: later changes are ignored and nothing more is written. */
  async close(): Promise<void> {
    try {
      await this.flush();
    } finally {
      this.stop();
    }
  }

  /** Stops at once without flushing (a write already in flight still completes). */
  stop(): void {
    this.#closed = true;
    this.#cancelTimer();
  }

  /** Waits for a write already in flight, without starting one. */
  async settled(): Promise<void> {
    while (this.#inFlight) await this.#inFlight;
  }

  #schedule(): void {
    if (this.#timer || this.#closed) return;
    const delay = this.#lastError ? this.#retryDelayMs : Math.max(this.#delayMs, this.#notBefore - performance.now());
    const fire = () => {
      this.#timer = null;
      if (!this.#inFlight && this.dirty) void this.#write();
    };
    if (delay <= 0) {
      const handle = setImmediate(fire);
      this.#timer = { cancel: () => clearImmediate(handle) };
    } else {
      const handle = setTimeout(fire, delay);
      this.#timer = { cancel: () => clearTimeout(handle) };
    }
  }

  #cancelTimer(): void {
    this.#timer?.cancel();
    this.#timer = null;
  }

  /** One write of the current value; never rejects (failures go to onError). */
  #write(): Promise<void> {
    const run = async () => {
      const generation = this.#marked; // the snapshot below holds every change marked so far
      let ok = false;
      try {
        const started = performance.now();
        const writing = this.#data.write(this.#snapshot()); // stringifies synchronously
        this.#notBefore = started + (performance.now() - started) / this.#busyShare;
        await writing;
        this.#written = Math.max(this.#written, generation);
        this.#lastError = null;
        ok = true;
      } catch (error) {
        const cause = error instanceof Error ? error : new Error(String(error));
        this.#lastError = new Error(`Could not write ${this.file}: ${cause.message}`, { cause });
        const reported = this.#lastError;
        this.#call(() => this.#onError(reported));
      } finally {
        this.#inFlight = null;
      }
      if (ok) this.#call(() => this.#onWrite?.(this.file));
      // Changed while writing: exactly one more write follows (after a failure, only on the next change).
      if (this.dirty && !this.#lastError) this.#schedule();
    };
    // Started on a microtask so #inFlight is set before run() can clear it (snapshot may throw).
    this.#inFlight = Promise.resolve().then(run);
    return this.#inFlight;
  }

  /** Runs a caller's hook; a hook that throws must not turn into a crash or a failed write. */
  #call(hook: () => void): void {
    try {
      hook();
    } catch {
      // ignored on purpose
    }
  }
}
