/**
 * How a task ends badly decides what the controller does next (BullMQ's idea: retry
 * semantics live in the error class). A TaskFailedError marked unrecoverable (the scene is
 * missing or not a .blend) fails the whole job at once; any other failure is retried.
 */
export class TaskFailedError extends Error {
  override name = 'TaskFailedError';
  readonly unrecoverable: boolean;

  constructor(message: string, o: { unrecoverable: boolean } = { unrecoverable: false }) {
    super(message);
    this.unrecoverable = o.unrecoverable;
  }
}

/** The task was stopped on purpose (cancel, wall-clock limit, shutdown): not a failure of the task itself. */
export class TaskCanceledError extends Error {
  override name = 'TaskCanceledError';
}
