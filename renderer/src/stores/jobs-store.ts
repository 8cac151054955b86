import { create } from 'zustand';
import type { JobSummary } from '../../../electron/controller/api/contract.js';
import { totalFailedOf } from '../model/failed-jobs.js';

/** Every job's summary, newest first, fed by jobs.list on (re)connect and by job events. */
interface JobsState {
  byId: Record<string, JobSummary>;
  /** Ids newest first. */
  order: string[];
  loaded: boolean;
  loadError: string | null;
}

export const useJobsStore = create<JobsState>(() => ({ byId: {}, order: [], loaded: false, loadError: null }));

function newestFirst(byId: Record<string, JobSummary>): string[] {
  return Object.values(byId)
    .sort((a, b) => b.createdAt - a.createdAt || (a.id < b.id ? 1 : -1))
    .map((j) => j.id);
}

export function replaceJobs(jobs: JobSummary[]): void {
  const byId = Object.fromEntries(jobs.map((j) => [j.id, j]));
  useJobsStore.setState({ byId, order: newestFirst(byId), loaded: true, loadError: null });
}

export function setJobsLoadError(message: string): void {
  useJobsStore.setState({ loadError: message });
}

/** Applies one animation frame's worth of job changes at once. */
export function applyJobChanges(changed: JobSummary[], deleted: string[]): void {
  if (changed.length === 0 && deleted.length === 0) return;
  useJobsStore.setState((s) => {
    const byId = { ...s.byId };
    let reorder = deleted.length > 0;
    for (const job of changed) {
      if (!byId[job.id]) reorder = true;
      byId[job.id] = job;
    }
    for (const id of deleted) delete byId[id];
    return { byId, order: reorder ? newestFirst(byId) : s.order };
  });
}

/**
 * Adds a job a command's answer returned (jobs.submit) unless an event brought it already: the
 * answer was computed before the dispatch pass that followed it, so an event about the same job
 * (now waiting, with its reason; already running) is newer and must not be overwritten.
 */
export function addJobIfUnknown(job: JobSummary): void {
  if (!useJobsStore.getState().byId[job.id]) applyJobChanges([job], []);
}

/** The "Failed (n)" count: tasks failed for good, and a job that failed with none counts once (model/failed-jobs.ts). */
export function totalFailed(s: JobsState): number {
  return totalFailedOf(s.order.map((id) => s.byId[id]));
}
