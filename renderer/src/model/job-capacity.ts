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
 * to run its task type (not still checking their tool), busy with it or with another job.
 * A job the controller says is waiting (no agent has the tag, the Blender, a GPU…) gets none:
 * only its running tasks count then (estimate-eta.ts takes the larger). The job's tags and
 * requirements are the controller's to judge; its waiting reason is how the UI learns them.
 */
export function capableSlots(agents: Iterable<AgentView>, job: Pick<JobSummary, 'waitingReason'>, taskType: string | null): number {
  if (taskType === null || job.waitingReason) return 0;
  let slots = 0;
  for (const a of agents) if (a.online && a.enabled && a.taskTypes.includes(taskType) && !a.checking.includes(taskType)) slots += a.slots;
  return slots;
}
