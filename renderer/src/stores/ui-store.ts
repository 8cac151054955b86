import { create } from 'zustand';

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
}

export const useUiStore = create<UiState>(() => ({
  view: 'jobs',
  openJobId: null,
  submitOpen: false,
  selected: [],
  focusedJobId: null,
  anchorJobId: null,
}));

export function showView(view: ViewName): void {
  useUiStore.setState({ view, openJobId: null });
}

export function openJob(jobId: string | null): void {
  useUiStore.setState({ view: 'jobs', openJobId: jobId });
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
  }));
}
