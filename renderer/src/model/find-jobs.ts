import type { JobState, JobSummary, TaskState, TaskView } from '../../../electron/controller/api/contract.js';

/**
 * Finding work in a long list: which jobs the list shows (search by name, id or tag; a state
 * filter) in which order (a column), and which tasks a job's table shows (a state filter).
 * Pure functions over the stores' data, so the route, the views and the tests share them.
 */

export type JobStateFilter = 'all' | 'unfinished' | 'waiting' | JobState;
export type JobSortKey = 'submitted' | 'name' | 'state' | 'progress' | 'priority' | 'frames' | 'output';
export type SortDirection = 'asc' | 'desc';

export interface JobsQuery {
  search: string;
  state: JobStateFilter;
  sort: JobSortKey;
  dir: SortDirection;
}

/** Newest first, everything shown: the list as it was before it could be searched. */
export const DEFAULT_JOBS_QUERY: JobsQuery = { search: '', state: 'all', sort: 'submitted', dir: 'desc' };

export const JOB_STATE_FILTERS: readonly { value: JobStateFilter; label: string }[] = [
  { value: 'all', label: 'All states' },
  { value: 'unfinished', label: 'Unfinished' },
  { value: 'waiting', label: 'Waiting for an agent' },
  { value: 'queued', label: 'Queued' },
  { value: 'running', label: 'Running' },
  { value: 'paused', label: 'Paused' },
  { value: 'succeeded', label: 'Succeeded' },
  { value: 'failed', label: 'Failed' },
  { value: 'canceled', label: 'Canceled' },
];

export const JOB_SORT_KEYS: readonly JobSortKey[] = ['submitted', 'name', 'state', 'progress', 'priority', 'frames', 'output'];

/** The direction a column sorts in when first chosen: words A→Z, amounts and times largest first. */
export function firstDirection(key: JobSortKey): SortDirection {
  return key === 'name' || key === 'state' || key === 'output' ? 'asc' : 'desc';
}

/** The query after the user chose a column: the same column flips, another starts at its first direction. */
export function sortBy(query: JobsQuery, key: JobSortKey): JobsQuery {
  return { ...query, sort: key, dir: query.sort === key ? (query.dir === 'asc' ? 'desc' : 'asc') : firstDirection(key) };
}

export function isDefaultJobsQuery(q: JobsQuery): boolean {
  return q.search.trim() === '' && q.state === 'all' && q.sort === DEFAULT_JOBS_QUERY.sort && q.dir === DEFAULT_JOBS_QUERY.dir;
}

/** The last six characters of a job id: its random part (the start is the submit time, alike for jobs submitted together). */
export function shortJobId(id: string): string {
  return id.slice(-6);
}

/** Every word of the search is found (case-insensitively) in the job's name, id or one of its tags. */
export function jobMatchesSearch(job: JobSummary, search: string): boolean {
  const words = search.toLowerCase().split(/\s+/).filter(Boolean);
  if (words.length === 0) return true;
  const haystack = [job.name, job.id, ...(job.tags ?? [])].map((s) => s.toLowerCase());
  return words.every((w) => haystack.some((h) => h.includes(w)));
}

export function jobMatchesState(job: JobSummary, state: JobStateFilter): boolean {
  if (state === 'all') return true;
  if (state === 'unfinished') return job.state === 'queued' || job.state === 'running' || job.state === 'paused';
  if (state === 'waiting') return Boolean(job.waitingReason) && (job.state === 'queued' || job.state === 'running');
  return job.state === state;
}

const STATE_ORDER: Record<JobState, number> = { running: 0, queued: 1, paused: 2, failed: 3, canceled: 4, succeeded: 5 };

function compareJobs(a: JobSummary, b: JobSummary, key: JobSortKey): number {
  switch (key) {
    case 'submitted':
      return a.createdAt - b.createdAt;
    case 'name':
      return a.name.localeCompare(b.name, undefined, { numeric: true, sensitivity: 'base' });
    case 'state':
      return STATE_ORDER[a.state] - STATE_ORDER[b.state];
    case 'progress':
      return a.succeededCount / Math.max(1, a.taskCount) - b.succeededCount / Math.max(1, b.taskCount);
    case 'priority':
      return a.priority - b.priority;
    case 'frames':
      return (a.frameCount ?? -1) - (b.frameCount ?? -1);
    case 'output':
      return (a.output ?? '').localeCompare(b.output ?? '');
  }
}

/**
 * The ids the jobs list shows, in order. `order` is the store's (newest first); with the
 * default query it is returned as is, so the list costs nothing when nobody searches. Ties keep
 * the newest first, so equal rows do not jump about as jobs change.
 */
export function visibleJobIds(order: readonly string[], byId: Record<string, JobSummary>, q: JobsQuery): readonly string[] {
  if (isDefaultJobsQuery(q)) return order;
  const jobs: JobSummary[] = [];
  for (const id of order) {
    const job = byId[id];
    if (job && jobMatchesState(job, q.state) && jobMatchesSearch(job, q.search)) jobs.push(job);
  }
  const sign = q.dir === 'asc' ? 1 : -1;
  const rank = new Map(order.map((id, i) => [id, i]));
  jobs.sort((a, b) => sign * compareJobs(a, b, q.sort) || rank.get(a.id)! - rank.get(b.id)!);
  return jobs.map((j) => j.id);
}

/** What the Frames column says: the frame list as submitted, else the count ("250 frames"), else nothing. */
export function describeJobFrames(job: JobSummary): string | null {
  if (job.frames) return job.frameCount !== undefined && job.frameCount > 1 ? `${job.frames} (${job.frameCount.toLocaleString('en-US')})` : job.frames;
  if (job.frameCount !== undefined) return `${job.frameCount.toLocaleString('en-US')} frame${job.frameCount === 1 ? '' : 's'}`;
  return null;
}

export type TaskStateFilter = 'all' | 'unfinished' | 'queued' | 'running' | 'succeeded' | 'failed' | 'canceled';

export const TASK_STATE_FILTERS: readonly { value: TaskStateFilter; label: string }[] = [
  { value: 'all', label: 'All tasks' },
  { value: 'unfinished', label: 'Not done' },
  { value: 'queued', label: 'Queued' },
  { value: 'running', label: 'Running' },
  { value: 'succeeded', label: 'Succeeded' },
  { value: 'failed', label: 'Failed' },
  { value: 'canceled', label: 'Canceled' },
];

const TASK_FILTER_STATES: Record<Exclude<TaskStateFilter, 'all'>, readonly TaskState[]> = {
  unfinished: ['queued', 'assigned', 'running'],
  queued: ['queued'],
  running: ['assigned', 'running'],
  succeeded: ['succeeded'],
  failed: ['failed'],
  canceled: ['canceled'],
};

export function taskMatchesState(task: TaskView, filter: TaskStateFilter): boolean {
  return filter === 'all' || TASK_FILTER_STATES[filter].includes(task.state);
}

/** The tasks the table shows: the same array when nothing is filtered (a 10,000-task job costs nothing more). */
export function filterTasks(tasks: readonly TaskView[], filter: TaskStateFilter): readonly TaskView[] {
  return filter === 'all' ? tasks : tasks.filter((t) => taskMatchesState(t, filter));
}

/** How many tasks each filter would show, for the filter's option labels; one pass. */
export function countTaskFilters(tasks: readonly TaskView[]): Record<TaskStateFilter, number> {
  const n: Record<TaskStateFilter, number> = { all: tasks.length, unfinished: 0, queued: 0, running: 0, succeeded: 0, failed: 0, canceled: 0 };
  for (const t of tasks) {
    if (t.state === 'queued') n.queued++, n.unfinished++;
    else if (t.state === 'assigned' || t.state === 'running') n.running++, n.unfinished++;
    else n[t.state]++;
  }
  return n;
}
