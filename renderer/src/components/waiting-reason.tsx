import type { JobState } from '../../../electron/controller/api/contract.js';

/**
 * Why a job's next task goes nowhere (no agent has the Blender the file needs, none has a GPU,
 * none allows scripts, none has its tags), kept visible under its state while it holds: a
 * toast is gone when the user looks, a waiting job looks stuck without it.
 */
export function WaitingReason({ job, live = false }: { job: { state: JobState; waitingReason?: string | null }; live?: boolean }) {
  if (!job.waitingReason || (job.state !== 'queued' && job.state !== 'running')) return null;
  return <div className="waiting-reason" data-waiting="true" {...(live ? { role: 'status' } : {})}>waiting: {job.waitingReason}</div>;
}
