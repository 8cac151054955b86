import { withAutomaticTags } from '../../../node-agent/protocol/automatic-tags.js';
import { agentView, type AgentRuntime } from '../agents/agent-runtime.js';
import type { AgentLink } from '../agents/agent-link.js';
import type { SchedulerState } from './scheduler-state.js';
import type { SchedulerEvents } from './scheduler-ports.js';

/** What the agent controls need of the scheduler: its state, its events and two of its steps. */
export interface AgentControlsDeps {
  state: Pick<SchedulerState, 'jobs' | 'agents' | 'agentOverrides' | 'deadlines' | 'verbs' | 'jobTouched'>;
  events: Pick<SchedulerEvents, 'agentChanged' | 'notice'>;
  /** Runs a dispatch round soon: a changed agent may take (or no longer take) work. */
  dispatchSoon(): void;
  /** The scheduler's handling of a lost agent: its tasks go back to the queue. */
  agentOffline(link: AgentLink, reason: string): void;
}

/**
 * What the user does to agents on the controller: enable or disable, stop now, retag, forget.
 * The choices are kept as overrides, so they outlive the agent's connection and apply again
 * when it reconnects (see Scheduler.agentOnline). Callers reach it as `scheduler.agentControls`.
 */
export class AgentControls {
  constructor(private readonly deps: AgentControlsDeps) {}

  /** A disabled agent keeps its running tasks but gets no new ones. */
  setAgentEnabled(agentId: string, enabled: boolean): AgentRuntime | undefined {
    const { state } = this.deps;
    state.agentOverrides.set(agentId, { ...state.agentOverrides.get(agentId), enabled });
    const agent = state.agents.get(agentId);
    if (!agent) return undefined;
    agent.enabled = enabled;
    this.deps.events.agentChanged(agentView(agent));
    this.deps.dispatchSoon();
    return agent;
  }

  /**
   * Stop now: the agent gets no new tasks, and the ones it runs are stopped there and go back
   * to the queue like a lost node's: no failure is counted (nothing failed; the user chose to
   * stop them), and their next assignment is a new attempt, so a late result of the stopped
   * one is ignored. Outputs already being collected are left to arrive.
   */
  stopAgentNow(agentId: string): { agent: AgentRuntime; requeued: number } | undefined {
    const { state, events } = this.deps;
    const agent = this.setAgentEnabled(agentId, false);
    if (!agent) return undefined;
    const stopped = [...agent.running.values()];
    agent.running.clear();
    for (const task of stopped) {
      const job = state.jobs.get(task.jobId)!;
      agent.link.send({ type: 'task.cancel', taskId: task.id, attempt: task.attempt });
      state.deadlines.clear(task.id);
      if (task.state === 'assigned' || task.state === 'running') {
        state.verbs.requeue(job, task);
        state.jobTouched(job);
      }
    }
    if (stopped.length) events.notice('info', `Agent ${agent.name} stopped ${stopped.length} task(s) on request; they are back in the queue.`);
    events.agentChanged(agentView(agent));
    this.deps.dispatchSoon();
    return { agent, requeued: stopped.length };
  }

  /** Tags set on the controller replace the ones the agent was started with (the automatic `gpu` stays). */
  setAgentTags(agentId: string, tags: string[]): AgentRuntime | undefined {
    const { state } = this.deps;
    state.agentOverrides.set(agentId, { ...state.agentOverrides.get(agentId), tags: [...tags] });
    const agent = state.agents.get(agentId);
    if (!agent) return undefined;
    agent.tags = withAutomaticTags(tags, agent.capabilities);
    this.deps.events.agentChanged(agentView(agent));
    this.deps.dispatchSoon();
    return agent;
  }

  /** The agent's link was removed: forget it (call after its link has gone offline). */
  forgetAgent(agentId: string): boolean {
    const { state } = this.deps;
    const agent = state.agents.get(agentId);
    if (!agent) return false;
    if (agent.online) this.deps.agentOffline(agent.link, 'removed from the farm');
    state.agents.delete(agentId);
    state.agentOverrides.delete(agentId);
    return true;
  }
}
