import { DEFAULT_JOBS_QUERY, JOB_SORT_KEYS, JOB_STATE_FILTERS, TASK_STATE_FILTERS, type JobsQuery, type TaskStateFilter } from '../model/find-jobs.js';

/**
 * Where the window is, as a URL fragment, so every view can be linked to, bookmarked and
 * reached with Back and Forward:
 *
 *   #/jobs?q=shot&state=failed&sort=name&dir=asc   the list, searched, filtered, sorted
 *   #/jobs/<job>?tasks=failed                      a job, its task table filtered
 *   #/jobs/<job>/tasks/<task>                      a task chosen, its log shown
 *   #/jobs/<job>/tasks/<task>/attempts/2/log/41    line 41 of its second attempt's log
 *   #/failed  #/nodes  #/settings
 *
 * A fragment never reaches the server (as the token does not, page-token.ts), and the page
 * serves every route from the same index.html. Pure: parse and format only; route-sync.ts
 * ties it to the stores and the address bar.
 */
export type RouteView = 'jobs' | 'failed' | 'nodes' | 'settings';

export interface Route {
  view: RouteView;
  /** The open job (in the jobs view only). */
  jobId: string | null;
  taskId: string | null;
  /** The log's attempt (null: the latest) and line (1-based as shown; null: none marked). */
  attempt: number | null;
  line: number | null;
  jobs: JobsQuery;
  tasks: TaskStateFilter;
}

export const DEFAULT_ROUTE: Route = { view: 'jobs', jobId: null, taskId: null, attempt: null, line: null, jobs: DEFAULT_JOBS_QUERY, tasks: 'all' };

const VIEWS: readonly RouteView[] = ['jobs', 'failed', 'nodes', 'settings'];

/** The route a fragment names, or null when it is not a route (`#main` of the skip link, `#token=…`). */
export function parseRoute(hash: string): Route | null {
  const fragment = hash.replace(/^#/, '');
  if (fragment === '' || fragment === '/') return DEFAULT_ROUTE;
  if (!fragment.startsWith('/')) return null;
  const at = fragment.indexOf('?');
  const path = at < 0 ? fragment : fragment.slice(0, at);
  const params = new URLSearchParams(at < 0 ? '' : fragment.slice(at + 1));
  let parts: string[];
  try {
    parts = path.split('/').filter(Boolean).map(decodeURIComponent);
  } catch {
    return null;
  }
  const view = VIEWS.find((v) => v === parts[0]);
  if (!view) return null;
  if (view !== 'jobs') return parts.length === 1 ? { ...DEFAULT_ROUTE, view } : null;
  const route: Route = { ...DEFAULT_ROUTE, jobs: jobsQueryFrom(params), tasks: taskFilterFrom(params) };
  if (parts.length === 1) return route;
  route.jobId = parts[1]!;
  let i = 2;
  if (parts[i] === 'tasks' && parts[i + 1]) {
    route.taskId = parts[i + 1]!;
    i += 2;
    if (parts[i] === 'attempts' && positive(parts[i + 1])) {
      route.attempt = Number(parts[i + 1]);
      i += 2;
    }
    if (parts[i] === 'log' && positive(parts[i + 1])) {
      route.line = Number(parts[i + 1]);
      i += 2;
    }
  }
  return i === parts.length ? route : null;
}

/** The fragment for a route, `#/…`; parseRoute(formatRoute(r)) gives r back. Defaults are left out. */
export function formatRoute(r: Route): string {
  if (r.view !== 'jobs') return `#/${r.view}`;
  const params = new URLSearchParams();
  let path = '/jobs';
  if (r.jobId !== null) {
    path += `/${encodeURIComponent(r.jobId)}`;
    if (r.taskId !== null) {
      path += `/tasks/${encodeURIComponent(r.taskId)}`;
      if (r.attempt !== null) path += `/attempts/${r.attempt}`;
      if (r.line !== null) path += `/log/${r.line}`;
    }
    if (r.tasks !== 'all') params.set('tasks', r.tasks);
  } else {
    const q = r.jobs;
    if (q.search.trim() !== '') params.set('q', q.search);
    if (q.state !== DEFAULT_JOBS_QUERY.state) params.set('state', q.state);
    if (q.sort !== DEFAULT_JOBS_QUERY.sort || q.dir !== DEFAULT_JOBS_QUERY.dir) {
      params.set('sort', q.sort);
      params.set('dir', q.dir);
    }
  }
  const query = params.toString();
  return `#${path}${query ? `?${query}` : ''}`;
}

/** Whether going from `a` to `b` is a new place (a history entry) rather than a change of the same place (replaced). */
export function isNewPlace(a: Route, b: Route): boolean {
  return a.view !== b.view || a.jobId !== b.jobId || a.taskId !== b.taskId;
}

function positive(s: string | undefined): boolean {
  return s !== undefined && /^[1-9]\d{0,8}$/.test(s);
}

function jobsQueryFrom(params: URLSearchParams): JobsQuery {
  const state = JOB_STATE_FILTERS.find((f) => f.value === params.get('state'))?.value ?? DEFAULT_JOBS_QUERY.state;
  const sort = JOB_SORT_KEYS.find((k) => k === params.get('sort')) ?? DEFAULT_JOBS_QUERY.sort;
  const dirParam = params.get('dir');
  const dir = dirParam === 'asc' || dirParam === 'desc' ? dirParam : DEFAULT_JOBS_QUERY.dir;
  return { search: params.get('q') ?? '', state, sort, dir };
}

function taskFilterFrom(params: URLSearchParams): TaskStateFilter {
  return TASK_STATE_FILTERS.find((f) => f.value === params.get('tasks'))?.value ?? 'all';
}
