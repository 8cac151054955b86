import type { ReactNode } from 'react';
import { sortBy, type JobSortKey } from '../../model/find-jobs.js';
import { useFindStore } from '../../stores/find-store.js';

/** A column header of the jobs list that sorts by it (again: the other way); aria-sort says how it is sorted. */
export function SortableHeader({ sortKey, children }: { sortKey: JobSortKey; children: ReactNode }) {
  const query = useFindStore((s) => s.jobs);
  const active = query.sort === sortKey;
  const sort = active ? (query.dir === 'asc' ? 'ascending' : 'descending') : undefined;
  return (
    <th scope="col" aria-sort={sort}>
      <button type="button" className="sort-header" onClick={() => useFindStore.setState({ jobs: sortBy(useFindStore.getState().jobs, sortKey) })}>
        {children}
        <span aria-hidden="true" className="sort-mark">{active ? (query.dir === 'asc' ? ' ▲' : ' ▼') : ''}</span>
      </button>
    </th>
  );
}
