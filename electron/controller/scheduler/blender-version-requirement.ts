import { chooseBlender, type BlenderInstall, type Capabilities, type TaskSpec } from '../../../node-agent/protocol/index.js';
import type { TaskRequirement } from './task-requirements.js';

/**
 * A Blender task goes only to an agent that has a Blender the task's `blender` want allows
 * (chooseBlender, the rule the agent applies too): never older than the version that saved the
 * file, and the pinned one when the job pins it. An older Blender opens a newer file with
 * "expect loss of data" in a log nobody reads; the job waits with the reason instead.
 */
export const blenderVersionRequirement: TaskRequirement = {
  met(agent, spec) {
    const want = blenderWant(spec);
    return want === undefined || chooseBlender(blenderInstalls(agent.capabilities), want) !== null;
  },
  waitingReason(job, spec) {
    const want = blenderWant(spec) ?? {};
    if (want.pin !== undefined) return `no agent has Blender ${want.pin} (the job asks for --blender-version ${want.pin}).`;
    return `no agent has Blender ≥ ${want.atLeast} for ${job.record.name} (saved by ${want.atLeast}).`;
  },
};

function blenderWant(spec: TaskSpec): { atLeast?: string; pin?: string } | undefined {
  if (spec.type !== 'blender' || !spec.blender) return undefined;
  return spec.blender.atLeast === undefined && spec.blender.pin === undefined ? undefined : spec.blender;
}

/** The agent's Blenders: its probed list, or (an agent that probed one only) its one Blender. */
export function blenderInstalls(capabilities: Capabilities): BlenderInstall[] {
  if (capabilities.blenders) return capabilities.blenders;
  return capabilities.blender ? [{ ...capabilities.blender, devices: [] }] : [];
}
