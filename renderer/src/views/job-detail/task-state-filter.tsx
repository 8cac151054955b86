import { useId, useMemo } from 'react';
import { countTaskFilters, TASK_STATE_FILTERS, type TaskStateFilter } from '../../model/find-jobs.js';
import { setTaskFilter, useFindStore } from '../../stores/find-store.js';
import type { TaskView } from '../../../../electron/controller/api/contract.js';

/** Which tasks the job's table shows (all, not done, failed, …), each choice with its count. */
export function TaskStateFilterField({ tasks }: { tasks: readonly TaskView[] }) {
  const id = useId();
  const filter = useFindStore((s) => s.tasks);
  const counts = useMemo(() => countTaskFilters(tasks), [tasks]);
  return (
    <div className="toolbar task-filter">
      <label htmlFor={id}>Show tasks</label>
      <select id={id} value={filter} onChange={(e) => setTaskFilter(e.target.value as TaskStateFilter)}>
        {TASK_STATE_FILTERS.map((f) => <option key={f.value} value={f.value}>{f.label} ({counts[f.value].toLocaleString('en-US')})</option>)}
      </select>
      {filter !== 'all' ? <span className="muted">{counts[filter].toLocaleString('en-US')} of {tasks.length.toLocaleString('en-US')} tasks shown</span> : null}
    </div>
  );
}
