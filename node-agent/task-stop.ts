/**
 * How a running task is told to stop, and why. The AbortSignal that runners wait on is made
 * only when a runner asks for it: an AbortController costs about 5 µs and some garbage, which
 * at thousands of short tasks a second is a real share of the agent's time per task, while a
 * task that finishes without waiting on anything never needs one.
 */
export type StopReason = 'cancel' | 'timeout';

export class TaskStop {
  /** Why the task was stopped, when it was: 'cancel' is silent, 'timeout' is reported as a failure. */
  reason: StopReason | null = null;
  #controller: AbortController | null = null;

  get stopped(): boolean {
    return this.reason !== null;
  }

  /** Aborted once the task is stopped (already aborted if it was stopped before the first call). */
  get signal(): AbortSignal {
    if (!this.#controller) {
      this.#controller = new AbortController();
      if (this.reason !== null) this.#controller.abort();
    }
    return this.#controller.signal;
  }

  /** Stops the task; a later reason replaces an earlier one (a cancel after a timeout is silent). */
  stop(reason: StopReason): void {
    this.reason = reason;
    this.#controller?.abort();
  }
}
