import { agentView, type AgentRuntime } from '../agents/agent-runtime.js';
import type { TaskRecord } from '../model/job-model.js';
import type { SchedulerEvents } from './scheduler-ports.js';

/**
 * An agent's busy slots change with its tasks (one given out, one ended), not with the agent,
 * so nothing announced the agent then: clients kept the count of the agent's last event
 * ("0 of 1 busy" while it rendered, "1 of 1 busy" on a drained agent after its job, issue
 * 18). This wraps the scheduler's events: once the step that changed tasks is over (a
 * microtask, so the agent's event joins its tasks' in the same API batch), every agent whose
 * busy slots differ from what was last announced for it is announced again, once.
 */
export function withBusySlotEvents(events: SchedulerEvents, agents: () => Iterable<AgentRuntime>): SchedulerEvents {
  const announced = new Map<string, number>();
  let pending = false;
  const check = () => {
    pending = false;
    for (const agent of agents()) {
      if ((announced.get(agent.agentId) ?? 0) !== agent.running.size) wrapped.agentChanged(agentView(agent));
    }
  };
  const wrapped: SchedulerEvents = {
    jobChanged: (summary) => events.jobChanged(summary),
    taskChanged(task: TaskRecord) {
      events.taskChanged(task);
      if (pending) return;
      pending = true;
      queueMicrotask(check);
    },
    agentChanged(view) {
      announced.set(view.agentId, view.busySlots);
      events.agentChanged(view);
    },
    taskLog: (taskId, attempt, lines) => events.taskLog(taskId, attempt, lines),
    notice: (level, text) => events.notice(level, text),
    ...(events.jobRemoved ? { jobRemoved: (jobId: string) => events.jobRemoved!(jobId) } : {}),
  };
  return wrapped;
}
