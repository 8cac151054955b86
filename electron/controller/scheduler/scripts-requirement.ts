import type { TaskRequirement } from './task-requirements.js';

/**
 * A job that trusts its scene's scripts (`--trust-scripts`) runs only on agents whose owner
 * consented to running them (`--allow-scripts`): elsewhere Blender would skip the drivers and
 * render the rig wrong, so the job waits for such an agent instead.
 */
export const scriptsRequirement: TaskRequirement = {
  met(agent, spec) {
    return spec.type !== 'blender' || spec.trustScripts !== true || agent.capabilities.allowScripts === true;
  },
  waitingReason() {
    return 'no agent allows scripts (the job trusts the scene\'s scripts: start an agent with --allow-scripts).';
  },
};
