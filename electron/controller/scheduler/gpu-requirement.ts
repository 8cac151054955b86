import type { TaskRequirement } from './task-requirements.js';

/**
 * A task asking for the GPU (`--device gpu`) goes only to an agent whose render device is a
 * GPU backend: rendering it on a CPU would be what the user ruled out. (A task that leaves the
 * device to the scene may land on a CPU; the job then says so: gpu-scene-on-cpu.ts.)
 */
export const gpuRequirement: TaskRequirement = {
  met(agent, spec) {
    if (spec.type !== 'blender' || spec.device !== 'gpu') return true;
    const device = agent.capabilities.renderDevice;
    return device !== undefined && device !== 'cpu';
  },
  waitingReason() {
    return 'no agent has a GPU (the job asks for --device gpu).';
  },
};
