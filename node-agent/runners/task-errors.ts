/**
 * How a task ends badly decides what the controller does next (BullMQ's idea: retry
 * semantics live in the error class). A TaskFailedError marked unrecoverable (the scene is
 * missing or not a .blend) fails the whole job at once; any other failure is retried.
 */
export class TaskFailedError extends Error {
  override name = 'TaskFailedError';
  readonly unrecoverable: boolean;
  /** Blender's own line for a fault of the scene itself (scene-faults.ts): the same on every agent, so the controller may pause the job. */
  readonly sceneFault: string | undefined;

  constructor(message: string, o: { unrecoverable: boolean; sceneFault?: string } = { unrecoverable: false }) {
    super(message);
    this.unrecoverable = o.unrecoverable;
    this.sceneFault = o.sceneFault;
  }
}

/** The task was stopped on purpose (cancel, wall-clock limit, shutdown): not a failure of the task itself. */
export class TaskCanceledError extends Error {
  override name = 'TaskCanceledError';
}
