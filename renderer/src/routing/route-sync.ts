import { useFindStore } from '../stores/find-store.js';
import { selectJobs, useUiStore } from '../stores/ui-store.js';
import { formatRoute, isNewPlace, parseRoute, type Route } from './route.js';
import { focusKeyOf, restoreFocus, type FocusKey } from './focus-return.js';

/**
 * Keeps the address bar and the stores in step. A change in the window (a job opened, a task
 * chosen, the list searched) writes the URL: a new place is a history entry (pushState), a
 * change within it (a filter, a log line) replaces the entry, so Back goes to the previous
 * place, not the previous keystroke. Back, Forward and an edited address (popstate,
 * hashchange) set the stores from the URL. Leaving a place remembers what had focus there;
 * coming back puts focus there again (closing a job: its row).
 */
export function routeFromStores(): Route {
  const ui = useUiStore.getState();
  const find = useFindStore.getState();
  const inJob = ui.view === 'jobs' && ui.openJobId !== null;
  const inTask = inJob && ui.openTaskId !== null;
  return {
    view: ui.view,
    jobId: inJob ? ui.openJobId : null,
    taskId: inTask ? ui.openTaskId : null,
    attempt: inTask ? ui.logAttempt : null,
    line: inTask ? ui.logLine : null,
    jobs: find.jobs,
    tasks: inJob ? find.tasks : 'all',
  };
}

export function applyRoute(r: Route): void {
  useFindStore.setState({ jobs: r.jobs, tasks: r.tasks });
  useUiStore.setState({ view: r.view, openJobId: r.jobId, openTaskId: r.taskId, logAttempt: r.attempt, logLine: r.line });
}

export function startRouteSync(win: Window): () => void {
  const focusMemory = new Map<string, FocusKey>();
  let applying = false;
  let current = routeFromStores();
  let stopFocus = (): void => undefined;

  const arrive = (from: Route, to: Route, fromHash: string) => {
    const key = focusKeyOf(win.document.activeElement);
    if (key) focusMemory.set(fromHash, key);
    if (!isNewPlace(from, to)) return;
    stopFocus();
    const remembered = focusMemory.get(formatRoute(to));
    const closedJob: FocusKey | null = from.jobId !== null && to.view === 'jobs' && to.jobId === null ? { kind: 'job-row', jobId: from.jobId } : null;
    const target = remembered ?? closedJob;
    if (target) {
      stopFocus = restoreFocus(win, target, (jobId) => selectJobs(useUiStore.getState().selected, jobId));
    }
  };

  const fromStores = () => {
    if (applying) return;
    const next = routeFromStores();
    const hash = formatRoute(next);
    if (hash === win.location.hash) {
      current = next;
      return;
    }
    const fromHash = formatRoute(current);
    if (isNewPlace(current, next)) win.history.pushState(null, '', hash);
    else win.history.replaceState(win.history.state, '', hash);
    arrive(current, next, fromHash);
    current = next;
  };

  const fromAddress = () => {
    const next = parseRoute(win.location.hash);
    if (!next) return;
    const fromHash = formatRoute(current);
    applying = true;
    try {
      applyRoute(next);
    } finally {
      applying = false;
    }
    const applied = routeFromStores();
    const hash = formatRoute(applied);
    if (hash !== win.location.hash) win.history.replaceState(win.history.state, '', hash);
    if (hash !== fromHash) arrive(current, applied, fromHash);
    current = applied;
  };

  // The address the page was opened at wins over the stores' defaults.
  const initial = parseRoute(win.location.hash);
  if (initial) {
    applying = true;
    applyRoute(initial);
    applying = false;
  }
  current = routeFromStores();
  const hash = formatRoute(current);
  if (hash !== win.location.hash) win.history.replaceState(win.history.state, '', hash);

  const stopUi = useUiStore.subscribe(fromStores);
  const stopFind = useFindStore.subscribe(fromStores);
  win.addEventListener('popstate', fromAddress);
  win.addEventListener('hashchange', fromAddress);
  return () => {
    stopFocus();
    stopUi();
    stopFind();
    win.removeEventListener('popstate', fromAddress);
    win.removeEventListener('hashchange', fromAddress);
  };
}
