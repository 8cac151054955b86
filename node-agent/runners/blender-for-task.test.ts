import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { BlenderInstall, Capabilities } from '../protocol/messages.js';
import { agentBlenders, blenderForTask, scriptsForTask } from './blender-for-task.js';
import { TaskFailedError } from './task-errors.js';

// The agent's safety net for what the controller routes: the Blender chooseBlender picks among
// the advertised ones, a sentence when none fits, and --allow-scripts consent.

const v34: BlenderInstall = { path: '/usr/bin/blender', version: '3.4.1', devices: [] };
const v41: BlenderInstall = { path: '/opt/blender-4.1.0/blender', version: '4.1.0', devices: [] };
const v43: BlenderInstall = { path: '/opt/blender-4.3.2/blender', version: '4.3.2', devices: [] };

function caps(blenders: BlenderInstall[], over: Partial<Capabilities> = {}): Capabilities {
  return {
    blender: blenders[0] ? { path: blenders[0].path, version: blenders[0].version } : null,
    ffmpeg: null, cores: 2, memoryBytes: 1, platform: 'linux', taskTypes: ['blender'],
    ...(blenders.length ? { blenders } : {}),
    ...over,
  };
}

function refusal(run: () => unknown): TaskFailedError {
  try {
    run();
  } catch (error) {
    assert.ok(error instanceof TaskFailedError, String(error));
    return error;
  }
  assert.fail('expected a refusal');
}

describe('which Blender renders a task', () => {
  test('no version asked: the first (the default)', () => {
    assert.equal(blenderForTask(caps([v41, v34]), {}), v41);
  });

  test('the same rule as the controller: never older, the same major.minor first', () => {
    const agent = caps([v34, v43, v41]);
    assert.equal(blenderForTask(agent, { blender: { atLeast: '4.1' } }), v41);
    assert.equal(blenderForTask(agent, { blender: { atLeast: '3.4' } }), v34);
    assert.equal(blenderForTask(agent, { blender: { atLeast: '4.2' } }), v43);
    assert.equal(blenderForTask(agent, { blender: { pin: '4.3' } }), v43);
  });

  test('none fits: a retryable failure naming the file\'s version and the agent\'s Blenders', () => {
    const tooOld = refusal(() => blenderForTask(caps([v34, v41]), { blender: { atLeast: '4.3' } }));
    assert.equal(tooOld.message, 'The scene was saved by Blender 4.3 and needs 4.3 or newer, but this agent has Blender 3.4.1 and 4.1.0 only; the task is retried on another agent, or give this one that Blender with --blender.');
    assert.equal(tooOld.unrecoverable, false);
    const pinned = refusal(() => blenderForTask(caps([v34, v41, v43]), { blender: { pin: '3.6', atLeast: '3.4' } }));
    assert.equal(pinned.message, 'The job is pinned to Blender 3.6 and the scene was saved by 3.4, but this agent has Blender 3.4.1, 4.1.0 and 4.3.2 only; the task is retried on another agent, or give this one that Blender with --blender.');
    assert.equal(pinned.unrecoverable, false);
  });

  test('an agent that advertises only `blender` (one Blender) is read as that one', () => {
    const single = caps([]);
    single.blender = { path: v34.path, version: v34.version };
    assert.deepEqual(agentBlenders(single), [v34]);
    assert.deepEqual(blenderForTask(single, { blender: { atLeast: '3.4' } }), v34);
    assert.equal(refusal(() => blenderForTask(single, { blender: { atLeast: '4.1' } })).message,
      'The scene was saved by Blender 4.1 and needs 4.1 or newer, but this agent has Blender 3.4.1 only; the task is retried on another agent, or give this one that Blender with --blender.');
  });

  test('no Blender at all: the install sentence', () => {
    assert.equal(refusal(() => blenderForTask(caps([]), {})).message, 'Blender is not installed on this agent; install it or pass --blender PATH.');
  });
});

describe("the scene's scripts", () => {
  test('run only for a trusting job on an agent started with --allow-scripts', () => {
    assert.equal(scriptsForTask(caps([v34], { allowScripts: true }), { trustScripts: true }), true);
    assert.equal(scriptsForTask(caps([v34], { allowScripts: true }), {}), false);
    assert.equal(scriptsForTask(caps([v34]), { trustScripts: false }), false);
  });

  test('a trusting job on an agent without consent is refused, retryably, with the fix', () => {
    const error = refusal(() => scriptsForTask(caps([v34]), { trustScripts: true }));
    assert.equal(error.message, "The job trusts the scene's scripts, but this agent was not started with --allow-scripts; the task is retried on another agent, or restart this one with --allow-scripts on a trusted farm.");
    assert.equal(error.unrecoverable, false);
  });
});
