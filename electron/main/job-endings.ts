import type { JobState, JobSummary } from '../controller/api/contract.js';

/**
 * Which job updates deserve a desktop notification: a job that was seen unfinished and now
 * succeeded or failed. Jobs already over when the app started, repeated updates of an ended
 * job, and cancellations (the user did that) stay quiet.
 */

export type JobEnding = 'succeeded' | 'failed';

export class JobEndWatch {
  private readonly last = new Map<string, JobState>();

  /** The jobs as they are now (at start-up), so old endings are not announced. */
  prime(jobs: Iterable<JobSummary>): void {
    for (const job of jobs) this.last.set(job.id, job.state);
  }

  /** Returns the ending this update announces, if any. */
  update(job: JobSummary): JobEnding | null {
    const before = this.last.get(job.id);
    this.last.set(job.id, job.state);
    if (job.state !== 'succeeded' && job.state !== 'failed') return null;
    if (before === undefined || before === 'succeeded' || before === 'failed' || before === 'canceled') {
      // A new job that ended at once (an unreadable scene) is news too; a repeat is not.
      return before === undefined ? job.state : null;
    }
    return job.state;
  }

  forget(jobId: string): void {
    this.last.delete(jobId);
  }
}

export type NotificationAction = 'open-output' | 'requeue-failed';

export interface JobNotice {
  title: string;
  body: string;
  /** The buttons, where the platform shows them (macOS); a click on the notice shows the window. */
  actions: { action: NotificationAction; label: string }[];
}

export function jobNotice(job: JobSummary, ending: JobEnding): JobNotice {
  if (ending === 'succeeded') {
    return {
      title: `Done: ${job.name}`,
      body: `All ${job.taskCount} task${job.taskCount === 1 ? '' : 's'} succeeded; the output is in its folder.`,
      actions: [{ action: 'open-output', label: 'Open output folder' }],
    };
  }
  const why = job.failure ? ` ${job.failure}` : ` ${job.failedCount} of ${job.taskCount} task${job.taskCount === 1 ? '' : 's'} failed.`;
  return {
    title: `Failed: ${job.name}`,
    body: `${why.trim()} Requeue the failed tasks to try again.`.slice(0, 240),
    actions: [{ action: 'requeue-failed', label: 'Requeue failed' }],
  };
}
