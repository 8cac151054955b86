import { useId } from 'react';
import { isDefaultJobsQuery, JOB_STATE_FILTERS, DEFAULT_JOBS_QUERY, type JobStateFilter } from '../../model/find-jobs.js';
import { setJobsQuery, useFindStore } from '../../stores/find-store.js';
import { useJobsStore } from '../../stores/jobs-store.js';
import { useVisibleJobIds } from './use-visible-jobs.js';

/** Search (name, id, tag) and a state filter above the jobs list, and how many jobs they leave. */
export function JobsFindBar() {
  const searchId = useId();
  const stateId = useId();
  const query = useFindStore((s) => s.jobs);
  const shown = useVisibleJobIds().length;
  const total = useJobsStore((s) => s.order.length);
  const narrowed = query.search.trim() !== '' || query.state !== 'all';
  return (
    <div className="toolbar jobs-find" role="search" aria-label="Find jobs">
      <label htmlFor={searchId}>Search jobs</label>
      <input id={searchId} type="search" placeholder="name, id or tag" value={query.search} onChange={(e) => setJobsQuery({ search: e.target.value })} />
      <label htmlFor={stateId}>State</label>
      <select id={stateId} value={query.state} onChange={(e) => setJobsQuery({ state: e.target.value as JobStateFilter })}>
        {JOB_STATE_FILTERS.map((f) => <option key={f.value} value={f.value}>{f.label}</option>)}
      </select>
      <span className="muted" role="status" data-jobs-shown={shown}>{narrowed ? (shown === 0 ? `No job of ${total} matches.` : `${shown} of ${total} jobs shown`) : ''}</span>
      {!isDefaultJobsQuery(query) ? <button type="button" onClick={() => setJobsQuery(DEFAULT_JOBS_QUERY)}>Show all, newest first</button> : null}
    </div>
  );
}
