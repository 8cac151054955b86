import { create } from 'zustand';
import { setTaskFilter } from './find-store.js';

/** What the window shows: the view, the open job, the jobs selected in the list. */
export type ViewName = 'jobs' | 'failed' | 'nodes' | 'settings';

interface UiState {
  view: ViewName;
  /** The job whose detail is open (within the jobs view), or null for the list. */
  openJobId: string | null;
  submitOpen: boolean;
  selected: string[];
  /** The row keyboard focus is on, and where a shift-selection starts. */
  focusedJobId: string | null;
  anchorJobId: string | null;
  /** The task chosen in the open job (its log shows), and the log's attempt (null: latest) and marked line: part of the URL (routing/route.ts). */
  openTaskId: string | null;
  logAttempt: number | null;
  logLine: number | null;
}

export const useUiStore = create<UiState>(() => ({
  view: 'jobs',
  openJobId: null,
  submitOpen: false,
  selected: [],
  focusedJobId: null,
  anchorJobId: null,
  openTaskId: null,
  logAttempt: null,
  logLine: null,
}));

const NO_TASK = { openTaskId: null, logAttempt: null, logLine: null };

export function showView(view: ViewName): void {
  useUiStore.setState({ view, openJobId: null, ...NO_TASK });
}

export function openJob(jobId: string | null): void {
  if (jobId !== useUiStore.getState().openJobId) setTaskFilter('all');
  useUiStore.setState({ view: 'jobs', openJobId: jobId, ...NO_TASK });
}

/** Chooses a task of the open job (its log shows), the latest attempt, no line marked. */
export function openTask(taskId: string | null): void {
  if (useUiStore.getState().openTaskId === taskId) return;
  useUiStore.setState({ openTaskId: taskId, logAttempt: null, logLine: null });
}

/** The attempt whose log shows and the line marked in it (1-based as numbered). */
export function setLogPosition(attempt: number | null, line: number | null): void {
  useUiStore.setState({ logAttempt: attempt, logLine: line });
}

export function setSubmitOpen(open: boolean): void {
  useUiStore.setState({ submitOpen: open });
}

export function selectJobs(selected: string[], focused?: string | null, anchor?: string | null): void {
  useUiStore.setState((s) => ({
    selected,
    focusedJobId: focused === undefined ? s.focusedJobId : focused,
    anchorJobId: anchor === undefined ? s.anchorJobId : anchor,
  }));
}

/** Drops deleted jobs from the selection and closes their detail. */
export function forgetJobsInUi(jobIds: string[]): void {
  if (jobIds.length === 0) return;
  useUiStore.setState((s) => ({
    selected: s.selected.filter((id) => !jobIds.includes(id)),
    focusedJobId: s.focusedJobId && jobIds.includes(s.focusedJobId) ? null : s.focusedJobId,
    openJobId: s.openJobId && jobIds.includes(s.openJobId) ? null : s.openJobId,
    ...(s.openJobId && jobIds.includes(s.openJobId) ? NO_TASK : {}),
  }));
}
