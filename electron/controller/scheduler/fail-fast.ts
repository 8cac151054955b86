import type { AgentRuntime } from '../agents/agent-runtime.js';
import type { JobRuntime } from './job-runtime.js';

/**
 * Fail fast: a scene that cannot render (no camera, every view layer off: the class is
 * node-agent/runners/scene-faults.ts) fails the same way on every agent. Left to the retry
 * bound, each task would fail `maxAttempts` times across the farm before the job ends, a
 * Blender start-up each, and the wrangler would hear of it late.
 *
 * The rule: each agent's first ended attempt of a job is remembered (a success, or a failure
 * with or without a scene fault). When the first attempts on two different agents failed with
 * the same scene fault (Blender's normalised line), the job pauses with that error, said once
 * with its fix and the agents' names. While one agent's first attempt failed that way and
 * another agent is running its own first attempt of the job, the first agent gets no more of
 * its tasks: the second opinion is on its way, and two attempts in all are enough to pause.
 *
 * With only one agent able to run the job there is no second opinion (the fault may be that
 * agent's own: its Blender, its copy of the files), so the normal retries apply: `maxAttempts`
 * per task and the agent failure limit. Resuming the job (job-controls.ts) forgets what was
 * seen, so the next two first attempts decide again.
 */

interface FirstOutcome {
  agentName: string;
  /** The scene fault the first attempt failed with; null when it succeeded or failed otherwise. */
  fault: string | null;
  /** The agent's sentence for that failure. */
  error: string | null;
}

export class FailFast {
  readonly #firsts = new WeakMap<JobRuntime, Map<string, FirstOutcome>>();

  /**
   * An attempt of `job` on `agentId` ended (`fault` null: it succeeded, or failed otherwise).
   * Returns the reason to pause the job with when this agent's first attempt and another
   * agent's first attempt failed with the same scene fault; else null.
   */
  attemptEnded(job: JobRuntime, agentId: string, agentName: string, fault: string | null, error: string | null): string | null {
    let firsts = this.#firsts.get(job);
    if (!firsts) this.#firsts.set(job, (firsts = new Map()));
    if (firsts.has(agentId)) return null; // only each agent's first attempt counts
    firsts.set(agentId, { agentName, fault, error });
    if (fault === null) return null;
    const same = [...firsts].find(([id, o]) => id !== agentId && o.fault === fault);
    if (!same) return null;
    return pauseReason(error ?? fault, [same[1].agentName, agentName]);
  }

  /**
   * Whether `agent` should take no task of `job` now: its first attempt failed with a scene
   * fault, and another online agent is running its first attempt of the job.
   */
  holdsBack(job: JobRuntime, agent: AgentRuntime, agents: Iterable<AgentRuntime>): boolean {
    const firsts = this.#firsts.get(job);
    if (!firsts?.get(agent.agentId)?.fault) return false;
    for (const other of agents) {
      if (other === agent || !other.online || firsts.has(other.agentId)) continue;
      for (const task of other.running.values()) if (task.jobId === job.id) return true;
    }
    return false;
  }

  /** The job was resumed or retried: first attempts count afresh. */
  forget(job: JobRuntime): void {
    this.#firsts.delete(job);
  }
}

/** One sentence: the agents' error (its problem and fix) and where it was seen. */
export function pauseReason(error: string, agentNames: readonly string[]): string {
  const said = error.trim().replace(/\.$/, '');
  return `${said} (the first attempts on agents ${agentNames.join(' and ')} failed the same way).`;
}
