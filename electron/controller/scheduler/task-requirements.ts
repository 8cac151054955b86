import type { TaskSpec } from '../../../node-agent/protocol/index.js';
import type { AgentRuntime } from '../agents/agent-runtime.js';
import type { JobRuntime } from './job-runtime.js';
import { blenderVersionRequirement } from './blender-version-requirement.js';
import { gpuRequirement } from './gpu-requirement.js';
import { scriptsRequirement } from './scripts-requirement.js';

/**
 * What a task needs of an agent beyond its task type and the job's tags: a Blender new
 * enough for the file, a GPU, consent to run the scene's scripts. Each requirement says
 * whether an agent meets it and, when no connected agent does, why the job waits: one
 * sentence the CLI, the API and the UI show ("no agent has Blender ≥ 4.1 for shot.blend
 * (saved by 4.1)"). An agent that does not meet one is never sent the task, so a file is
 * never opened by an older Blender or a rig rendered without its drivers in silence.
 */
export interface TaskRequirement {
  /** True when `agent` can run `spec` as far as this requirement goes. */
  met(agent: AgentRuntime, spec: TaskSpec): boolean;
  /** Why none of `candidates` (connected, enabled and otherwise able) meets it. */
  waitingReason(job: JobRuntime, spec: TaskSpec, candidates: readonly AgentRuntime[]): string;
}

/** Every requirement, checked in this order (the first one no agent meets gives the reason). */
export const TASK_REQUIREMENTS: readonly TaskRequirement[] = [blenderVersionRequirement, gpuRequirement, scriptsRequirement];

/** True when `agent` meets every requirement of `spec`. */
export function meetsRequirements(agent: AgentRuntime, spec: TaskSpec): boolean {
  return TASK_REQUIREMENTS.every((r) => r.met(agent, spec));
}

/** The reason of the first requirement none of `candidates` meets, or null when some agent meets them all. */
export function unmetRequirement(job: JobRuntime, spec: TaskSpec, candidates: readonly AgentRuntime[]): string | null {
  let left = candidates;
  for (const requirement of TASK_REQUIREMENTS) {
    const able = left.filter((a) => requirement.met(a, spec));
    if (able.length === 0) return requirement.waitingReason(job, spec, left);
    left = able;
  }
  return null;
}
