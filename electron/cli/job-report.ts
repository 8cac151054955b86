import type { JobDetail, JobSummary, TaskView } from '../controller/api/contract.js';
import { formatFields, formatTable, percent, when, type Column } from './cli-table.js';
import { print } from './api-connection.js';

/** How jobs and tasks read in the terminal: tables for lists, fields for one job, one line for an outcome. */

export const jobColumns: Column<JobSummary>[] = [
  { header: 'ID', value: (j) => j.id, max: 64 },
  { header: 'NAME', value: (j) => j.name, max: 32 },
  { header: 'TYPE', value: (j) => j.type },
  // The controller's own pause (a full disk, or the same error on two agents) is told apart from the user's; `farmhand job ID` gives the sentence.
  { header: 'STATE', value: (j) => (j.pauseReason ? (j.pauseCause === 'fail-fast' ? 'paused (error)' : 'paused (disk full)') : j.waitingReason ? `${j.state} (waiting)` : j.state) },
  { header: 'DONE', value: (j) => `${j.succeededCount}/${j.taskCount}`, right: true },
  { header: 'FAILED', value: (j) => j.failedCount, right: true },
  { header: 'PRI', value: (j) => j.priority, right: true },
  { header: 'CREATED', value: (j) => when(j.createdAt) },
];

export const taskColumns: Column<TaskView>[] = [
  { header: 'ID', value: (t) => t.id, max: 72 },
  { header: 'LABEL', value: (t) => t.label, max: 24 },
  { header: 'STATE', value: (t) => t.state },
  { header: 'TRY', value: (t) => t.attempt, right: true },
  { header: 'AGENT', value: (t) => t.agentId ?? '-', max: 40 },
  { header: 'PROGRESS', value: (t) => percent(t.state === 'succeeded' ? 1 : t.progress), right: true },
  { header: 'ERROR', value: (t) => t.error ?? '', max: 60 },
  { header: 'WARNINGS', value: (t) => taskWarnings(t), max: 60 },
];

/** `2: The modifier "MC" on object "Cube" failed: …` (the count, then the first), or empty. */
function taskWarnings(t: TaskView): string {
  return t.warnings?.length ? `${t.warnings.length}: ${t.warnings[0]}` : '';
}

export function formatJob(j: JobDetail): string {
  const settings = Object.entries(j.settings)
    .filter(([, v]) => v !== null && v !== undefined && typeof v !== 'object')
    .map(([k, v]) => `${k}=${String(v)}`)
    .join(' ');
  return formatFields([
    ['Job', `${j.id} (${j.name})`],
    ['Type', j.type],
    ['State', j.paused && j.state !== 'paused' ? `${j.state}, paused` : j.state],
    ['Progress', `${percent(j.progress)}: ${j.succeededCount}/${j.taskCount} task(s) done, ${j.runningCount} running, ${j.failedCount} failed`],
    ['Priority', j.priority],
    ['Tags', j.tags.length ? j.tags.join(', ') : '-'],
    ['Output', j.outputDir],
    ['Created', when(j.createdAt)],
    ['Ended', when(j.endedAt)],
    ...(j.pauseReason ? [['Paused', j.pauseReason] as [string, string]] : []),
    ...(j.waitingReason ? [['Waiting', j.waitingReason] as [string, string]] : []),
    ...(j.chunkPlan ? [['Chunks', j.chunkPlan] as [string, string]] : []),
    // The job's own warnings (from its submit, or a GPU scene rendered on a CPU), one line each.
    ...(j.warnings ?? []).map((w): [string, string] => ['Warning', w]),
    ...(j.warningCount ? [['Warnings', `${j.warningCount}, the first: ${j.firstWarning ?? ''}`] as [string, string]] : []),
    ...(j.failure ? [['Failure', j.failure] as [string, string]] : []),
    ...(settings ? [['Settings', settings] as [string, string]] : []),
  ]);
}

/** Prints how a followed job ended; the exit code is 0 only if it succeeded. */
export function reportJobEnd(o: { json: boolean }, j: JobDetail): number {
  print(o, j, () => {
    if (j.state === 'succeeded') {
      const warned = j.warningCount ? ` With ${j.warningCount} warning(s), the first: ${j.firstWarning ?? ''} (farmhand tasks ${j.id} lists them).` : '';
      return `Job ${j.id} succeeded: ${j.succeededCount}/${j.taskCount} task(s), outputs in ${j.outputDir}.${warned}`;
    }
    // Paused by the controller after two agents failed alike: the job waits for the user, so following it ends here.
    if (j.state === 'paused' && j.pauseCause === 'fail-fast') return `Job ${j.id} paused: ${j.pauseReason ?? ''}`;
    return `Job ${j.id} ${j.state}: ${j.failure ?? `${j.failedCount} of ${j.taskCount} task(s) failed`}${/[.!?]$/.test(j.failure ?? '') ? '' : '.'}`;
  });
  return j.state === 'succeeded' ? 0 : 1;
}
