import type { AgentView, TaskView } from '../../../electron/controller/api/contract.js';

/**
 * The agent a task row names: the one it is out on, or, once it is off its agent (failed,
 * succeeded, requeued), the agent of its latest attempt, so a failed task says where it failed.
 * The current name from the agents list wins; the name the attempt recorded stays for an agent
 * that is gone. "—" for a task never run.
 */
export function taskAgentName(task: Pick<TaskView, 'agentId' | 'lastAgent'>, agents: Readonly<Record<string, Pick<AgentView, 'name'>>>): string {
  if (task.agentId) return agents[task.agentId]?.name ?? task.lastAgent?.name ?? task.agentId;
  if (task.lastAgent) return agents[task.lastAgent.agentId]?.name ?? task.lastAgent.name;
  return '—';
}
