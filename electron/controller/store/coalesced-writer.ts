import { writeFileAtomic } from './atomic-write.js';
import { WriteTurns } from './write-turns.js';

/**
 * Keeps one JSON document on disk in step with an in-memory value without writing on every
 * change. Callers mutate the value and call `markDirty()`; the writer waits a short moment so
 * a burst of changes becomes one write, never has more than one write in flight, and writes
 * once more if the value changed while it was writing. Writes are a temp file + rename
 * (atomic-write.ts), so a reader or a crash only ever sees a whole document, and a write that
 * fails (a full disk) keeps the last good copy and is retried.
 *
 * Why generations instead of a dirty flag: `flush()` must finish even while changes keep
 * streaming in, so it waits for "everything marked before I was called", not for "clean";
 * `whenWritten()` uses the same numbers, so waiting for durability costs no extra write.
 */

export interface CoalescedWriterOptions {
  /** How long a change waits for others before it is written; 0 writes on the next turn. */
  delayMs?: number;
  /** After a failed write, how long a new change waits before the retry (a flush retries at once). */
  retryDelayMs?: number;
  /**
   * The gate that paces write starts, shared by every writer of a store so that together they
   * never starve dispatch (see WriteTurns). Without one the writer gets a gate of its own.
   */
  turns?: WriteTurns;
  /** Share of the main thread for the writer's own gate (ignored with `turns`). Default 0.1. */
  busyShare?: number;
  /** A write failed; it is retried on the next change or flush. Never thrown into the event loop. */
  onError?(error: Error): void;
  /** A write reached the disk (for tests and measurements). */
  onWrite?(file: string): void;
}

export const DEFAULT_WRITE_DELAY_MS = 25;
const DEFAULT_RETRY_DELAY_MS = 1000;

interface Waiter {
  generation: number;
  resolve(): void;
  reject(error: Error): void;
}

export class CoalescedWriter<T> {
  readonly file: string;
  readonly #snapshot: () => T;
  readonly #delayMs: number;
  readonly #retryDelayMs: number;
  readonly #turns: WriteTurns;
  readonly #onError: (error: Error) => void;
  readonly #onWrite: ((file: string) => void) | undefined;
  /** Generation of the latest change, and the generation the disk is known to hold. */
  #marked = 0;
  #written = 0;
  /** A write waiting for its delay or its turn. */
  #timer: { cancel(): void } | null = null;
  #inFlight: Promise<void> | null = null;
  #lastError: Error | null = null;
  #waiters: Waiter[] = [];
  #closed = false;

  /** `snapshot` returns the current value; it is read at write time, so in-place edits are seen. */
  constructor(file: string, snapshot: () => T, o: CoalescedWriterOptions = {}) {
    this.file = file;
    this.#snapshot = snapshot;
    this.#delayMs = o.delayMs ?? DEFAULT_WRITE_DELAY_MS;
    this.#retryDelayMs = o.retryDelayMs ?? DEFAULT_RETRY_DELAY_MS;
    this.#turns = o.turns ?? new WriteTurns(o.busyShare);
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
   * Resolves once everything marked before the call is on disk, by the writes that happen
   * anyway (it never starts one). Rejects if the write that should carry it fails, or if the
   * writer is stopped first.
   */
  whenWritten(): Promise<void> {
    if (!this.dirty) return Promise.resolve();
    if (this.#closed) return Promise.reject(this.#stoppedError());
    return new Promise((resolve, reject) => this.#waiters.push({ generation: this.#marked, resolve, reject }));
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
      let ours = false; // a background write may have started meanwhile: then wait for it and go round again
      await new Promise<void>((resolve) =>
        this.#turns.take(() => {
          ours = !this.#inFlight;
          void (this.#inFlight ?? this.#write()).then(resolve);
        }, { urgent: true }),
      );
      if (ours && this.#written < target) throw this.#lastError ?? new Error(`Could not write ${this.file}.`);
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
    if (!this.#inFlight) this.#rejectWaiters(() => this.#stoppedError());
  }

  /** Waits for a write already in flight, without starting one. */
  async settled(): Promise<void> {
    while (this.#inFlight) await this.#inFlight;
  }

  #schedule(): void {
    if (this.#timer || this.#closed) return;
    const delay = this.#lastError ? this.#retryDelayMs : this.#delayMs;
    let takeBack: (() => void) | null = null;
    const start = () => {
      this.#timer = null;
      if (!this.#inFlight && this.dirty && !this.#closed) void this.#write();
    };
    const wait = delay > 0 ? setTimeout(() => (takeBack = this.#turns.take(start)), delay) : null;
    if (!wait) takeBack = this.#turns.take(start);
    this.#timer = {
      cancel: () => {
        if (wait) clearTimeout(wait);
        takeBack?.();
      },
    };
  }

  #cancelTimer(): void {
    this.#timer?.cancel();
    this.#timer = null;
  }

  /** One write of the current value, its synchronous part (snapshot + stringify) run now; never rejects. */
  #write(): Promise<void> {
    const generation = this.#marked; // the snapshot below holds every change marked so far
    let writing: Promise<void>;
    try {
      writing = writeFileAtomic(this.file, JSON.stringify(this.#snapshot()));
    } catch (error) {
      writing = Promise.reject(error);
    }
    this.#inFlight = this.#settle(writing, generation);
    return this.#inFlight;
  }

  async #settle(writing: Promise<void>, generation: number): Promise<void> {
    let ok = false;
    try {
      await writing; // also makes sure #inFlight is set before the finally below clears it
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
    if (ok) {
      this.#resolveWaiters();
      this.#call(() => this.#onWrite?.(this.file));
    } else {
      this.#rejectWaiters(this.#lastError!);
    }
    if (this.#closed) this.#rejectWaiters(() => this.#stoppedError());
    // Changed while writing: exactly one more write follows (after a failure, only on the next change).
    else if (this.dirty && !this.#lastError) this.#schedule();
  }

  #resolveWaiters(): void {
    if (this.#waiters.length === 0) return;
    const still: Waiter[] = [];
    for (const waiter of this.#waiters) {
      if (waiter.generation <= this.#written) waiter.resolve();
      else still.push(waiter);
    }
    this.#waiters = still;
  }

  #rejectWaiters(error: Error | (() => Error)): void {
    if (this.#waiters.length === 0) return;
    const reason = typeof error === 'function' ? error() : error;
    const waiters = this.#waiters;
    this.#waiters = [];
    for (const waiter of waiters) waiter.reject(reason);
  }

  #stoppedError(): Error {
    return new Error(`Writing ${this.file} was stopped before the change was saved; the job store was closed or the job removed.`);
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
