import type { JobSummary } from '../../../electron/controller/api/contract.js';

/**
 * The verbs a user can apply to jobs, one list for the toolbar, the context menu and the
 * keyboard, so the three never disagree on what applies to which job.
 */
export type JobActionId = 'pause' | 'resume' | 'cancel' | 'retry' | 'priority' | 'open-folder' | 'delete';

export interface JobAction {
  id: JobActionId;
  label: string;
  /** Key that runs it in the jobs list (shown in the menu). */
  key: string;
  appliesTo(job: JobSummary): boolean;
  /** It opens something for a job (its folder): offered for one job at a time, so a selection of fifty never opens fifty windows. */
  oneAtATime?: true;
}

const unfinished = (j: JobSummary) => j.state === 'queued' || j.state === 'running' || j.state === 'paused';

export const JOB_ACTIONS: readonly JobAction[] = [
  { id: 'pause', label: 'Pause', key: 'P', appliesTo: (j) => j.state === 'queued' || j.state === 'running' },
  { id: 'resume', label: 'Resume', key: 'R', appliesTo: (j) => j.state === 'paused' },
  { id: 'cancel', label: 'Cancel', key: 'C', appliesTo: unfinished },
  { id: 'retry', label: 'Retry failed', key: 'T', appliesTo: (j) => j.failedCount > 0 || j.state === 'failed' || j.state === 'canceled' },
  { id: 'priority', label: 'Priority…', key: 'O', appliesTo: unfinished },
  // Any job: a folder given at submit may already hold files, and a finished one holds the outputs.
  { id: 'open-folder', label: 'Open output folder', key: 'F', appliesTo: () => true, oneAtATime: true },
  { id: 'delete', label: 'Delete…', key: 'Delete', appliesTo: () => true },
];

/** The jobs among `jobs` an action applies to (none for a one-at-a-time action on several jobs). */
export function targetsOf(action: JobAction, jobs: readonly JobSummary[]): JobSummary[] {
  if (action.oneAtATime && jobs.length !== 1) return [];
  return jobs.filter((j) => action.appliesTo(j));
}

export function actionForKey(key: string): JobAction | undefined {
  return JOB_ACTIONS.find((a) => a.key.toLowerCase() === key.toLowerCase());
}
