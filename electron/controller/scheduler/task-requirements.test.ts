import { test } from 'node:test';
import assert from 'node:assert/strict';
import { chooseBlender, type BlenderTaskSpec, type Capabilities } from '../../../node-agent/protocol/index.js';
import type { AgentRuntime } from '../agents/agent-runtime.js';
import { newJob, newTask } from '../jobs/new-job.js';
import { agentMayRunTask, judgeWaitingJob } from './dispatch-policy.js';
import { JobRuntime } from './job-runtime.js';
import { blenderInstalls } from './blender-version-requirement.js';

/** An online, enabled agent that runs Blender tasks, with the renderers given. */
function agent(id: string, caps: Partial<Capabilities>): AgentRuntime {
  const capabilities: Capabilities = { blender: null, ffmpeg: null, cores: 4, taskTypes: ['blender'], ...caps } as Capabilities;
  return { agentId: id, name: id, online: true, enabled: true, slots: 1, tags: [], capabilities, running: new Map(), collecting: new Set() } as unknown as AgentRuntime;
}
const install = (version: string, devices: { backend: 'CUDA' | 'OPTIX'; name: string }[] = []) => ({
  path: `/opt/blender-${version}/blender`, version, devices: devices.map((d) => ({ ...d, id: `${d.backend}_${d.name}` })),
});

function job(spec: Partial<BlenderTaskSpec>, name = 'shot.blend'): JobRuntime {
  const task = newTask('j1', 0, 'frames 1', { type: 'blender', frames: [1], outputName: 'shot', format: 'PNG', ...spec }, []);
  return new JobRuntime(newJob({ id: 'j1', name, type: 'blender', priority: 50, tags: [], outputDir: '/tmp/out', inputFiles: [], settings: {}, tasks: [task] }), new Map());
}
const mayRun = (a: AgentRuntime, j: JobRuntime) => agentMayRunTask(a, j, j.peek()!, 3);

const only34 = agent('a34', { blender: { path: '/usr/bin/blender', version: '3.4.1' } });
const both = agent('both', { blender: { path: '/opt/blender-3.4.1/blender', version: '3.4.1' }, blenders: [install('3.4.1'), install('4.1.1')] });

test('version routing: an agent with 3.4 gets a 3.4 file and never a 4.1 file', () => {
  assert.equal(mayRun(only34, job({ blender: { atLeast: '3.4' } })), true);
  assert.equal(mayRun(only34, job({ blender: { atLeast: '3.3' } })), true);
  assert.equal(mayRun(only34, job({ blender: { atLeast: '4.1' } })), false);
  assert.deepEqual(judgeWaitingJob(job({ blender: { atLeast: '4.1' } }), [only34], 3), { waiting: 'no agent has Blender ≥ 4.1 for shot.blend (saved by 4.1).' });
  assert.deepEqual(judgeWaitingJob(job({ blender: { atLeast: '3.4' } }), [only34], 3), { waiting: null });
});

test('version routing: with two Blenders the agent takes both files, and the 4.1 file goes to it rather than to the 3.4 agent', () => {
  const newer = job({ blender: { atLeast: '4.1' } });
  assert.equal(mayRun(both, newer), true);
  assert.equal(mayRun(both, job({ blender: { atLeast: '3.4' } })), true);
  assert.deepEqual(judgeWaitingJob(newer, [only34, both], 3), { waiting: null });
  // The agent applies the same rule (chooseBlender) and finds the 4.1 among its two.
  assert.equal(chooseBlender(blenderInstalls(both.capabilities), { atLeast: '4.1' })?.version, '4.1.1');
  assert.equal(chooseBlender(blenderInstalls(both.capabilities), { atLeast: '3.4' })?.version, '3.4.1');
  assert.equal(blenderInstalls(only34.capabilities)[0]!.version, '3.4.1', 'an agent that probed one Blender counts as that one');
});

test('a pin takes only that major.minor, and says so while it waits', () => {
  assert.equal(mayRun(both, job({ blender: { pin: '4.1' } })), true);
  assert.equal(mayRun(both, job({ blender: { pin: '4.3' } })), false);
  assert.deepEqual(judgeWaitingJob(job({ blender: { pin: '4.3' } }), [only34, both], 3), { waiting: 'no agent has Blender 4.3 (the job asks for --blender-version 4.3).' });
});

test('--device gpu runs only where the render device is a GPU backend; the scene\'s own device runs anywhere', () => {
  const gpuBox = agent('gpu', { blender: { path: '/usr/bin/blender', version: '3.4.1' }, renderDevice: 'OPTIX' });
  const cpuBox = agent('cpu', { blender: { path: '/usr/bin/blender', version: '3.4.1' }, renderDevice: 'cpu' });
  assert.equal(mayRun(gpuBox, job({ device: 'gpu' })), true);
  assert.equal(mayRun(cpuBox, job({ device: 'gpu' })), false);
  assert.equal(mayRun(only34, job({ device: 'gpu' })), false, 'no render device said: the CPU');
  assert.equal(mayRun(cpuBox, job({})), true);
  assert.equal(mayRun(cpuBox, job({ device: 'cpu' })), true);
  assert.deepEqual(judgeWaitingJob(job({ device: 'gpu' }), [cpuBox, only34], 3), { waiting: 'no agent has a GPU (the job asks for --device gpu).' });
});

test('a job trusting its scripts runs only on agents started with --allow-scripts', () => {
  const allows = agent('allows', { blender: { path: '/usr/bin/blender', version: '3.4.1' }, allowScripts: true });
  assert.equal(mayRun(allows, job({ trustScripts: true })), true);
  assert.equal(mayRun(only34, job({ trustScripts: true })), false);
  assert.equal(mayRun(only34, job({})), true);
  assert.deepEqual(judgeWaitingJob(job({ trustScripts: true }), [only34], 3), { waiting: 'no agent allows scripts (the job trusts the scene\'s scripts: start an agent with --allow-scripts).' });
});

test('the reason is the first requirement no agent meets, among the agents meeting the earlier ones', () => {
  const gpu34 = agent('gpu34', { blender: { path: '/usr/bin/blender', version: '3.4.1' }, renderDevice: 'CUDA' });
  const cpu41 = agent('cpu41', { blenders: [install('4.1.0')], blender: { path: '/opt/blender-4.1.0/blender', version: '4.1.0' } });
  // A GPU exists, and a 4.1 exists, but not on one agent: it waits for the GPU among the 4.1 agents.
  assert.deepEqual(judgeWaitingJob(job({ blender: { atLeast: '4.1' }, device: 'gpu' }), [gpu34, cpu41], 3), { waiting: 'no agent has a GPU (the job asks for --device gpu).' });
});
