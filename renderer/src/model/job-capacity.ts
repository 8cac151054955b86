import type { AgentView, JobSummary, TaskView } from '../../../electron/controller/api/contract.js';

/**
 * The task type the job's remaining work needs: its first unfinished task's, the one the
 * controller gives out next (a transcode's join comes after its chunks). Null when none is left.
 */
export function remainingTaskType(tasks: readonly TaskView[]): string | null {
  for (const t of tasks) if (t.state === 'queued' || t.state === 'assigned' || t.state === 'running') return t.type;
  return null;
}

/**
 * Slots that can work on a job: those of the agents online, taking work (not drained), able
 * to run its task type (not still checking their tool) and carrying every tag the job asks
 * for, busy with it or with another job. A job the controller says is waiting (no agent has
 * the Blender, a GPU…) gets none: only its running tasks count then (estimate-eta.ts takes the
 * larger). A task's other requirements are the controller's to judge; its waiting reason is
 * how the UI learns of them.
 */
export function capableSlots(agents: Iterable<AgentView>, job: Pick<JobSummary, 'waitingReason' | 'tags'>, taskType: string | null): number {
  if (taskType === null || job.waitingReason) return 0;
  const tags = job.tags ?? [];
  let slots = 0;
  for (const a of agents) if (a.online && a.enabled && a.taskTypes.includes(taskType) && !a.checking.includes(taskType) && tags.every((t) => a.tags.includes(t))) slots += a.slots;
  return slots;
}
