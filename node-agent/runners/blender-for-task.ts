import { chooseBlender } from '../protocol/blender-choice.js';
import type { BlenderInstall, BlenderTaskSpec, Capabilities } from '../protocol/messages.js';
import { TaskFailedError } from './task-errors.js';

/**
 * The agent's side of routing a Blender task: which of its Blenders runs it, and whether the
 * scene's scripts may run. The controller sends a task only where both hold (its task
 * requirements apply the same chooseBlender and the agent's advertised allowScripts), so a
 * refusal here is a safety net: a controller of another version, or capabilities that changed.
 * Both refusals are retryable, because another agent may have the Blender or the consent.
 */

/** The agent's Blenders: every one advertised, or the one it had before it could have several. */
export function agentBlenders(capabilities: Capabilities): BlenderInstall[] {
  if (capabilities.blenders?.length) return capabilities.blenders;
  return capabilities.blender ? [{ ...capabilities.blender, devices: [] }] : [];
}

/** The Blender that renders `spec` (chooseBlender, the rule the controller applied), or a TaskFailedError naming why none does. */
export function blenderForTask(capabilities: Capabilities, spec: Pick<BlenderTaskSpec, 'blender'>): BlenderInstall {
  const installs = agentBlenders(capabilities);
  if (installs.length === 0) throw new TaskFailedError('Blender is not installed on this agent; install it or pass --blender PATH.');
  const chosen = chooseBlender(installs, spec.blender);
  if (chosen) return chosen;
  const have = `this agent has Blender ${listed(installs.map((i) => i.version))}`;
  const want = spec.blender!;
  const needs = want.pin !== undefined
    ? `The job is pinned to Blender ${want.pin}${want.atLeast !== undefined ? ` and the scene was saved by ${want.atLeast}` : ''}`
    : `The scene was saved by Blender ${want.atLeast} and needs ${want.atLeast} or newer`;
  return refuse(`${needs}, but ${have} only; the task is retried on another agent, or give this one that Blender with --blender.`);
}

/**
 * True when Blender runs the scene's Python for this task (`-y`): the job trusts its scripts and
 * this agent was started with --allow-scripts. A trusting job on an agent without consent is
 * refused rather than rendered with its drivers skipped.
 */
export function scriptsForTask(capabilities: Capabilities, spec: Pick<BlenderTaskSpec, 'trustScripts'>): boolean {
  if (!spec.trustScripts) return false;
  if (capabilities.allowScripts) return true;
  return refuse("The job trusts the scene's scripts, but this agent was not started with --allow-scripts; the task is retried on another agent, or restart this one with --allow-scripts on a trusted farm.");
}

function refuse(sentence: string): never {
  throw new TaskFailedError(sentence);
}

/** `3.4.1`, `3.4.1 and 4.1.0`, `3.4.1, 3.6.5 and 4.1.0`. */
function listed(items: readonly string[]): string {
  return items.length <= 1 ? items.join('') : `${items.slice(0, -1).join(', ')} and ${items[items.length - 1]}`;
}
