import type { TaskRecord } from '../model/job-model.js';

/** Another task's file is in the way of an output: a task may never replace it. */
export class OutputConflictError extends Error {
  override name = 'OutputConflictError';
  constructor(name: string, task: Pick<TaskRecord, 'label'>, owner: Pick<TaskRecord, 'label'>, differentBytes: boolean) {
    super(differentBytes
      ? `Task ${task.label} sent ${name} with other bytes than task ${owner.label} already put in place; the file was kept, and the attempt was not accepted.`
      : `Task ${task.label} sent ${name}, which belongs to task ${owner.label} and is already in place; the attempt was not accepted.`);
  }
}
