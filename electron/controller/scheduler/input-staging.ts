import type { FileRef } from '../../../node-agent/protocol/index.js';
import type { TaskRecord } from '../model/job-model.js';
import { chainedOutputs } from '../jobs/expected-outputs.js';

/**
 * Staging the inputs of a task that consumes other tasks' outputs (a transcode join, a
 * frames-to-video) before it can start. When all but one of its dependencies have succeeded
 * and that last one runs on agent X, X is where the consumer will run: X is free the moment
 * the consumer is released, and once staged it holds the most of its inputs (which is what
 * dispatch places such tasks by). So X fetches the finished inputs it lacks while it still
 * works, instead of after: on a 5-minute transcode that is ~40 MB of chunks off the join.
 * The scheduler asks when a dependency succeeds and when one is assigned.
 */
export interface StagingPlan {
  agentId: string;
  inputs: FileRef[];
}

export function planStaging(
  dependents: TaskRecord[],
  taskById: (id: string) => TaskRecord | undefined,
  holds: (sha256: string, agentId: string) => boolean,
): StagingPlan[] {
  const plans: StagingPlan[] = [];
  for (const dependent of dependents) {
    if (!dependent.inputsFromDependencies || dependent.state !== 'queued') continue;
    const deps = dependent.dependsOn.map(taskById);
    if (deps.some((d) => d === undefined)) continue;
    const open = deps.filter((d) => d!.state !== 'succeeded');
    if (open.length !== 1) continue;
    const last = open[0]!;
    if ((last.state !== 'assigned' && last.state !== 'running') || !last.agentId) continue;
    const agentId = last.agentId;
    const inputs = deps.filter((d) => d!.state === 'succeeded').flatMap((d) => chainedOutputs(d!)).filter((o) => !holds(o.sha256, agentId));
    if (inputs.length > 0) plans.push({ agentId, inputs });
  }
  return plans;
}
