import { constants } from 'node:os';

/**
 * A safety net so coalesced writes are not lost when the process is stopped: on SIGINT or
 * SIGTERM it flushes, then lets the signal end the process as it would have (unless the app
 * has its own handler for it, which then owns the shutdown); on `beforeExit` (the event loop
 * ran dry) it flushes once more. An orderly shutdown should still `await store.close()`.
 */

export interface Flushable {
  flush(): Promise<void>;
}

/** Registers the handlers; returns a function that removes them. */
export function flushOnExit(store: Flushable, o: { onError?(error: Error): void } = {}): () => void {
  const report = o.onError ?? ((error: Error) => console.error(`Saving the job store before exit failed: ${error.message}`));
  let stopping = false;
  let gaveUp = false;

  const onSignal = (signal: NodeJS.Signals) => {
    if (stopping) process.exit(128 + constants.signals[signal]); // a second Ctrl-C: do not wait any longer
    stopping = true;
    store
      .flush()
      .catch((error: Error) => report(error))
      .finally(() => {
        unregister();
        // Nobody else handles this signal: end the process the way the signal would have.
        if (process.listenerCount(signal) === 0) process.kill(process.pid, signal);
      });
  };
  const onBeforeExit = () => {
    if (stopping || gaveUp) return;
    // A flush with nothing to write schedules nothing, so this does not keep the process alive.
    store.flush().catch((error: Error) => {
      gaveUp = true; // otherwise every retry would schedule work and beforeExit would fire forever
      report(error);
    });
  };

  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  process.on('beforeExit', onBeforeExit);
  function unregister(): void {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    process.off('beforeExit', onBeforeExit);
  }
  return unregister;
}
