import type { JobSummary } from '../../../electron/controller/api/contract.js';

/**
 * What the Failed view lists and the "Failed (n)" tab counts. A job is there when any of its
 * tasks failed for good, and also when the job itself failed, whatever its tasks' last states:
 * a job failed by the controller ("every agent able to run it failed 3 times") cancels its
 * queued tasks, so it can have no failed task at all and must still not vanish from Failed.
 */
export function isInFailed(job: Pick<JobSummary, 'state' | 'failedCount'>): boolean {
  return job.failedCount > 0 || job.state === 'failed';
}

/** What one job adds to the tab's count: its failed tasks, or one for a job that failed with none. */
export function failedCountOf(job: Pick<JobSummary, 'state' | 'failedCount'>): number {
  return job.failedCount > 0 ? job.failedCount : job.state === 'failed' ? 1 : 0;
}

/** The tab's count over all jobs. */
export function totalFailedOf(jobs: Iterable<Pick<JobSummary, 'state' | 'failedCount'> | undefined>): number {
  let n = 0;
  for (const job of jobs) if (job) n += failedCountOf(job);
  return n;
}

/**
 * How many tasks "Requeue" puts back (jobs.retry requeues failed and canceled tasks): counted from
 * the tasks when they are loaded, else from the summary (a finished job's tasks that did not
 * succeed are failed or canceled).
 */
export function requeueCountOf(job: Pick<JobSummary, 'state' | 'failedCount' | 'taskCount' | 'succeededCount'>, tasks?: readonly { state: string }[]): number {
  if (tasks) return tasks.filter((t) => t.state === 'failed' || t.state === 'canceled').length;
  return job.state === 'failed' || job.state === 'canceled' ? job.taskCount - job.succeededCount : job.failedCount;
}
