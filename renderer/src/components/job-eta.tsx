import type { JobSummary, TaskView } from '../../../electron/controller/api/contract.js';
import { formatRange } from '../model/format.js';
import { useJobEta } from '../stores/eta-memory.js';

/** A running job's time left as a range ("12–15 min"), steady from one update to the next; "—" without an estimate. */
export function JobEta({ job, tasks }: { job: JobSummary; tasks: readonly TaskView[] }) {
  const eta = useJobEta(job, tasks);
  return eta ? <span data-eta="">{formatRange(eta.minMs, eta.maxMs)}</span> : <span aria-label="no estimate yet">—</span>;
}
