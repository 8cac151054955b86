import type { JobSummary, TaskView } from '../../../electron/controller/api/contract.js';

/** Done fraction: finished tasks plus the progress of running ones (the summary's counts alone until tasks load). */
export function progressOf(job: JobSummary, tasks: readonly TaskView[]): number {
  if (job.taskCount === 0) return 0;
  if (tasks.length === 0) return job.succeededCount / job.taskCount;
  let done = 0;
  for (const t of tasks) done += t.state === 'succeeded' ? 1 : t.state === 'running' ? Math.max(0, Math.min(1, t.progress)) : 0;
  return done / job.taskCount;
}

/** How many agents work on the job now. */
export function busyAgents(tasks: readonly TaskView[]): number {
  const agents = new Set<string>();
  for (const t of tasks) if ((t.state === 'running' || t.state === 'assigned') && t.agentId) agents.add(t.agentId);
  return agents.size;
}
