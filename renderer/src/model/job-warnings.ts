import type { JobSummary, TaskView } from '../../../electron/controller/api/contract.js';

/**
 * What a job warns about, in one line for its row: the job's own warnings from its submit
 * (files allowed to be missing) and the distinct warnings of its tasks (Blender's modifier,
 * driver and missing-file lines), counted together, the first named. Null when there are none.
 */
export function jobWarningLine(job: Pick<JobSummary, 'warnings' | 'warningCount' | 'firstWarning'>): { count: number; text: string } | null {
  const count = (job.warnings?.length ?? 0) + (job.warningCount ?? 0);
  const first = job.warnings?.[0] ?? job.firstWarning;
  if (count === 0 || !first) return null;
  return { count, text: `${count} warning${count === 1 ? '' : 's'}: ${first}` };
}

/** A task's warnings as a tooltip: one per line. */
export function taskWarningsTitle(task: Pick<TaskView, 'warnings'>): string | null {
  return task.warnings?.length ? task.warnings.join('\n') : null;
}
