import { useShallow } from 'zustand/react/shallow';
import { useFarmClient } from '../../farm-client-context.js';
import { JOB_ACTIONS, targetsOf } from '../../model/job-actions.js';
import { jobActionLabel } from '../../model/job-action-labels.js';
import { useJobsStore } from '../../stores/jobs-store.js';
import { selectJobs, setSubmitOpen, useUiStore } from '../../stores/ui-store.js';
import type { JobSummary } from '../../../../electron/controller/api/contract.js';
import { requestJobAction } from './job-action-runner.js';

/** Submit, and the job actions for the selected jobs (each enabled when it applies to one of them). */
export function JobsToolbar() {
  const client = useFarmClient();
  const selected = useUiStore((s) => s.selected);
  const jobs = useJobsStore(useShallow((s) => selected.map((id) => s.byId[id]).filter((j): j is JobSummary => j !== undefined)));
  const total = useJobsStore((s) => s.order.length);
  return (
    <div className="toolbar" role="toolbar" aria-label="Job actions">
      <button type="button" className="primary" onClick={() => setSubmitOpen(true)}>Submit job…</button>
      <span className="toolbar-sep" aria-hidden="true" />
      <span className="selection-count" aria-live="polite">{jobs.length ? `${jobs.length} of ${total} selected` : 'None selected'}</span>
      {JOB_ACTIONS.map((action) => (
        <button
          key={action.id}
          type="button"
          disabled={targetsOf(action, jobs).length === 0}
          aria-keyshortcuts={action.key}
          onClick={() => requestJobAction(client, action.id, jobs.map((j) => j.id))}
        >
          {jobActionLabel(action, jobs)}
        </button>
      ))}
      {jobs.length ? <button type="button" onClick={() => selectJobs([])}>Clear selection</button> : null}
    </div>
  );
}
