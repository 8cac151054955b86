import type { JobSummary } from '../../../electron/controller/api/contract.js';
import { jobWarningLine } from '../model/job-warnings.js';

/** A visible warning line under a job's state: what went wrong without failing it (a modifier error, a missing file allowed). */
export function JobWarnings({ job }: { job: Pick<JobSummary, 'warnings' | 'warningCount' | 'firstWarning'> }) {
  const line = jobWarningLine(job);
  if (!line) return null;
  return <div className="job-warnings" role="note" title={line.text}>⚠ {line.text}</div>;
}
