/**
 * Paces the synchronous part of many writers' writes (snapshot + JSON.stringify) so that
 * persistence never holds the event loop for long, however many documents are dirty at once.
 *
 * Why one shared gate instead of a limit per writer: a job is stored as many task pages, and
 * a burst of changes can make dozens of them dirty in the same moment. Started together, their
 * serialisations would run back to back in one event-loop turn (20 pages × 1–2 ms is the same
 * stall as one big document). Here every write start gets an event-loop turn of its own, and
 * the writers together use at most `busyShare` of the main thread: after a start that took
 * S ms, the next paced start waits until S / busyShare ms after it began.
 *
 * Urgent starts (a flush) skip that wait but still get one turn each, so even a flush of a
 * whole farm lets dispatch run in between.
 */

export const DEFAULT_BUSY_SHARE = 0.1;

type Start = () => void;

export class WriteTurns {
  readonly busyShare: number;
  readonly #urgent: Start[] = [];
  readonly #paced: Start[] = [];
  /** performance.now() before which the next paced start must not run. */
  #notBefore = 0;
  #next: { kind: 'immediate' | 'timer'; cancel(): void } | null = null;

  constructor(busyShare = DEFAULT_BUSY_SHARE) {
    this.busyShare = Math.min(1, Math.max(0.001, busyShare));
  }

  /** Queued starts (for tests and measurements). */
  get waiting(): number {
    return this.#urgent.length + this.#paced.length;
  }

  /**
   * Runs `start` on a later event-loop turn of its own: paced by `busyShare`, or as soon as
   * possible when urgent. Returns a function that takes it back out of the queue.
   */
  take(start: Start, o: { urgent?: boolean } = {}): () => void {
    const queue = o.urgent ? this.#urgent : this.#paced;
    queue.push(start);
    this.#plan();
    return () => {
      const at = queue.indexOf(start);
      if (at !== -1) queue.splice(at, 1);
      if (this.waiting === 0) this.#cancelNext();
    };
  }

  #plan(): void {
    const wait = this.#urgent.length ? 0 : this.#paced.length ? this.#notBefore - performance.now() : null;
    if (wait === null) return this.#cancelNext();
    const kind = wait > 0 ? 'timer' : 'immediate';
    if (this.#next && (this.#next.kind === kind || kind === 'timer')) return; // already due at least as soon
    this.#cancelNext();
    if (kind === 'immediate') {
      const handle = setImmediate(() => this.#turn());
      this.#next = { kind, cancel: () => clearImmediate(handle) };
    } else {
      const handle = setTimeout(() => this.#turn(), Math.ceil(wait));
      this.#next = { kind, cancel: () => clearTimeout(handle) };
    }
  }

  #turn(): void {
    this.#next = null;
    const start = this.#urgent.length ? this.#urgent.shift() : performance.now() >= this.#notBefore ? this.#paced.shift() : undefined;
    if (start) {
      const began = performance.now();
      try {
        start();
      } catch {
        // a start reports its own failures; one that throws must not stop the others
      }
      this.#notBefore = Math.max(this.#notBefore, began + (performance.now() - began) / this.busyShare);
    }
    this.#plan();
  }

  #cancelNext(): void {
    this.#next?.cancel();
    this.#next = null;
  }
}
