import type { AgentRuntime } from '../agents/agent-runtime.js';
import type { TaskRecord } from '../model/job-model.js';
import type { JobRuntime } from './job-runtime.js';
import { meetsRequirements, unmetRequirement } from './task-requirements.js';

/**
 * Who may run what: the rules dispatch applies, kept apart from the bookkeeping so they
 * read as policy. An agent runs a job's task only with the task type's capability, every
 * tag the job asks for, every requirement of the task (task-requirements.ts: Blender version,
 * GPU, scripts), and fewer failures of that job than the limit.
 */
export function agentMayRun(agent: AgentRuntime, job: JobRuntime, failureLimit: number): boolean {
  const next = job.peek();
  return next !== null && agentMayRunTask(agent, job, next, failureLimit);
}

/** The same rules for a given task of the job (one not queued yet: a join whose chunks still run). */
export function agentMayRunTask(agent: AgentRuntime, job: JobRuntime, task: TaskRecord, failureLimit: number): boolean {
  if (!agent.capabilities.taskTypes.includes(task.spec.type)) return false;
  if ((job.agentFailures.get(agent.agentId) ?? 0) >= failureLimit) return false;
  return job.record.tags.every((tag) => agent.tags.includes(tag)) && meetsRequirements(agent, task.spec);
}

export type WaitingVerdict = { waiting: string | null } | { fail: string };

/**
 * Why a job with queued work gets none of it running, or that it never can (every able agent is blocked).
 * The reasons are short lowercase clauses, as the requirement ones are ("no agent has a GPU …"),
 * because the UI shows them after "waiting:" and the CLI after "No agent can run this job:".
 */
export function judgeWaitingJob(job: JobRuntime, agents: Iterable<AgentRuntime>, failureLimit: number): WaitingVerdict {
  const online = [...agents].filter((a) => a.online && a.enabled);
  const type = job.peek()!.spec.type;
  const tags = job.record.tags;
  const ofType = online.filter((a) => a.capabilities.taskTypes.includes(type));
  const capable = ofType.filter((a) => tags.every((t) => a.tags.includes(t)));
  if (online.length === 0) return { waiting: 'no agents online.' };
  const checking = capable.length === 0 ? online.filter((a) => a.capabilities.checking?.includes(type)).length : 0;
  if (checking > 0) return { waiting: `${checking === 1 ? '1 agent online is' : `${checking} agents online are`} still checking that their tool for ${type} tasks runs.` };
  if (ofType.length === 0) return { waiting: `no agent online can run ${type} tasks.` };
  if (capable.length === 0) return { waiting: missingTags(tags) };
  const unmet = unmetRequirement(job, job.peek()!.spec, capable);
  if (unmet !== null) return { waiting: unmet };
  if (capable.filter((a) => meetsRequirements(a, job.peek()!.spec)).every((a) => (job.agentFailures.get(a.agentId) ?? 0) >= failureLimit)) {
    const lastError = job.record.tasks.find((t) => t.error)?.error ?? 'unknown error';
    return { fail: `Every agent able to run it failed ${failureLimit} times; last error: ${lastError}` };
  }
  return { waiting: null };
}

/** "no agent has tag gpu." / "no agent has all of the tags gpu, linux." */
function missingTags(tags: readonly string[]): string {
  return tags.length === 1 ? `no agent has tag ${tags[0]}.` : `no agent has all of the tags ${tags.join(', ')}.`;
}
