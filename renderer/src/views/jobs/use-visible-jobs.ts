import { useShallow } from 'zustand/react/shallow';
import { visibleJobIds } from '../../model/find-jobs.js';
import { useFindStore } from '../../stores/find-store.js';
import { useJobsStore } from '../../stores/jobs-store.js';

/**
 * The ids the jobs list shows (searched, filtered, sorted: find-store), the same array while
 * they are the same ids in the same order, so a job's progress does not re-render the list.
 */
export function useVisibleJobIds(): readonly string[] {
  const query = useFindStore((s) => s.jobs);
  return useJobsStore(useShallow((s) => visibleJobIds(s.order, s.byId, query)));
}
