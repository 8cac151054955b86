import { create } from 'zustand';
import { DEFAULT_JOBS_QUERY, type JobsQuery, type TaskStateFilter } from '../model/find-jobs.js';

/** How the jobs list is searched, filtered and sorted, and which tasks a job's table shows; part of the URL (routing/route.ts). */
interface FindState {
  jobs: JobsQuery;
  tasks: TaskStateFilter;
}

export const useFindStore = create<FindState>(() => ({ jobs: DEFAULT_JOBS_QUERY, tasks: 'all' }));

export function setJobsQuery(change: Partial<JobsQuery>): void {
  useFindStore.setState((s) => ({ jobs: { ...s.jobs, ...change } }));
}

export function setTaskFilter(tasks: TaskStateFilter): void {
  useFindStore.setState({ tasks });
}
