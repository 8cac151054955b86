import type { JobSummary } from '../../../electron/controller/api/contract.js';
import { failedCountOf } from './failed-jobs.js';
import { targetsOf, type JobAction } from './job-actions.js';

/**
 * Words for the job actions that depend on what they would do to the jobs chosen: "Retry
 * failed" says what it does ("Requeue 3 failed", "Resume canceled"), and cancelling work that
 * runs or waits asks first, saying how much would stop (one key once cancelled a 2,000-task job).
 */
type Job = Pick<JobSummary, 'name' | 'state' | 'failedCount' | 'taskCount' | 'succeededCount' | 'runningCount'>;

const count = (n: number) => n.toLocaleString('en');

/** The label of `action` for the jobs chosen (the toolbar's and the context menu's). */
export function jobActionLabel(action: JobAction, jobs: readonly JobSummary[]): string {
  return action.id === 'retry' ? retryLabel(targetsOf(action, jobs)) : action.label;
}

/** What retry does to these jobs: requeue failed work, resume canceled jobs; "Requeue failed" for none. */
export function retryLabel(targets: readonly Job[]): string {
  const failed = targets.filter((j) => j.state !== 'canceled').reduce((n, j) => n + failedCountOf(j), 0);
  const canceled = targets.filter((j) => j.state === 'canceled').length;
  const resume = canceled === 1 ? 'resume canceled' : `resume ${count(canceled)} canceled`;
  if (failed > 0 && canceled > 0) return `Requeue ${count(failed)} failed, ${resume}`;
  if (canceled > 0) return resume[0]!.toUpperCase() + resume.slice(1);
  if (failed > 0) return `Requeue ${count(failed)} failed`;
  return 'Requeue failed';
}

/** The question before cancelling (always asked: cancel applies only to jobs with work running or waiting): what stops, what will not run, what stays. */
export function cancelQuestion(targets: readonly Job[]): { title: string; text: string; confirmLabel: string } {
  const running = targets.reduce((n, j) => n + j.runningCount, 0);
  const waiting = targets.reduce((n, j) => n + Math.max(0, j.taskCount - j.succeededCount - j.failedCount - j.runningCount), 0);
  const one = targets.length === 1;
  const what = one ? `“${targets[0]!.name}”` : `${count(targets.length)} jobs`;
  const stops: string[] = [];
  if (running > 0) stops.push(`${count(running)} running task${running === 1 ? '' : 's'} stop${running === 1 ? 's' : ''}`);
  if (waiting > 0) stops.push(`${count(waiting)} task${waiting === 1 ? '' : 's'} not started yet will not run`);
  const effect = stops.length ? ` ${stops.join(' and ')}.` : '';
  return {
    title: one ? 'Cancel job' : 'Cancel jobs',
    text: `Cancel ${what}?${effect} Frames already rendered stay on disk.`,
    confirmLabel: one ? 'Cancel job' : `Cancel ${count(targets.length)} jobs`,
  };
}
