import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Message, MessageOf } from '../../../node-agent/protocol/index.js';
import type { AgentLink } from '../agents/agent-link.js';
import type { DependencyManifest } from '../api/views.js';
import { compileBlenderJob } from '../jobs/blender/blender-job.js';
import { readFrameList } from '../jobs/frame-list.js';
import type { JobRecord } from '../model/job-model.js';
import { Scheduler } from './scheduler.js';

// The scheduler with agent links faked at its own port (AgentLinkListener): what it sends is
// recorded in order. Not the wire: the agent side of job.workspace/job.ended has its own tests.

const scene = { sha256: 'f'.repeat(64), size: 50, name: 'shot.blend' };
const manifest: DependencyManifest = {
  entries: [{ written: '//tex/wood.png', resolved: '/art/tex/wood.png', kind: 'image', from: '/art/shot.blend', size: 100, sha256: 'a'.repeat(64), missing: false }],
  totalBytes: 100,
  missingCount: 0,
  listedBy: 'reader',
};

function renderJob(frames: string): JobRecord {
  return compileBlenderJob({ scenePath: '/art/shot.blend', frames: readFrameList(frames), chunkSize: 1, outputDir: '/out' }, {
    scene, scenePath: '/art/shot.blend', sceneInfo: null, agentCount: 1, manifest,
  });
}

function fakeLink(url: string) {
  const sent: Message[] = [];
  const link = { url, agentId: null as string | null, send: (m: Message) => (sent.push(m), true), stop: async () => undefined } as unknown as AgentLink;
  return { link, sent, types: () => sent.map((m) => m.type) };
}

function hello(agentId: string, taskTypes: string[], slots = 2): MessageOf<'agent.hello'> {
  return {
    type: 'agent.hello', agentId, name: agentId, hostname: agentId, slots, tags: [], running: [], held: [],
    capabilities: { blender: { path: '/usr/bin/blender', version: '3.4.1' }, ffmpeg: null, cores: 2, memoryBytes: 1e9, platform: 'linux', taskTypes },
  };
}

function setup(t: { after(fn: () => Promise<void>): void }) {
  const scheduler = new Scheduler(
    { add: () => undefined, update: () => undefined },
    { jobChanged: () => undefined, taskChanged: () => undefined, agentChanged: () => undefined, taskLog: () => undefined, notice: () => undefined },
    { tempPathFor: async () => '/tmp/never', commit: async (_job, _task, file) => `/out/${file.name}`, discardIntermediates: async () => undefined },
  );
  const connect = (agentId: string, taskTypes = ['blender'], slots = 2) => {
    const fake = fakeLink(`wss://${agentId}`);
    fake.link.agentId = agentId;
    scheduler.agentOnline(fake.link, hello(agentId, taskTypes, slots));
    return fake;
  };
  // Running tasks keep their deadline timers: deleting the jobs clears them.
  t.after(async () => {
    for (const job of scheduler.allJobs()) await scheduler.jobControls.deleteJob(job.id);
    scheduler.stop();
  });
  return { scheduler, connect };
}

/** One dispatch round has run (it runs on setImmediate). */
const round = () => new Promise((resolve) => setImmediate(resolve));

test('job.workspace precedes the job\'s first task.assign, once per connection, and again on a new connection', async (t) => {
  const { scheduler, connect } = setup(t);
  const a = connect('a1');
  const job = renderJob('1-2');
  scheduler.addJob(job, { isNew: true });
  await round();
  assert.deepEqual(a.types(), ['job.workspace', 'task.assign', 'task.assign']);
  assert.deepEqual(a.sent[0], { type: 'job.workspace', jobId: job.id, workspace: job.workspace });
  assert.ok(a.sent.slice(1).every((m) => m.type === 'task.assign' && m.spec.type === 'blender' && m.spec.workspace === true && m.inputs.length === 1));

  // The connection drops (its tasks go back to the queue) and the agent says hello again: a new connection.
  scheduler.agentOffline(a.link, 'connection closed');
  a.sent.length = 0;
  scheduler.agentOnline(a.link, hello('a1', ['blender']));
  await round();
  assert.deepEqual(a.types(), ['job.workspace', 'task.assign', 'task.assign']);
});

test('a job that succeeds sends job.ended to the agents that rendered it, and to no other agent', async (t) => {
  const { scheduler, connect } = setup(t);
  const a = connect('a1');
  const bystander = connect('b1', ['ffmpeg']);
  const job = renderJob('1');
  scheduler.addJob(job, { isNew: true });
  await round();
  const assign = a.sent.find((m): m is MessageOf<'task.assign'> => m.type === 'task.assign')!;
  const frame = { name: 'shot_0001.png', sha256: 'c'.repeat(64), size: 10 };
  scheduler.agentMessage(a.link, { type: 'task.done', taskId: assign.taskId, attempt: assign.attempt, outputs: [frame], elapsedMs: 100 });
  assert.equal(a.types().at(-1), 'output.fetch');
  assert.ok(!a.types().includes('job.ended'), 'not before its last output is in');
  await scheduler.intake.arrived(a.link, { taskId: assign.taskId, attempt: assign.attempt, file: frame }, '/tmp/frame');
  assert.equal(scheduler.job(job.id)!.state, 'succeeded');
  assert.deepEqual(a.types().filter((t) => t.startsWith('job.')), ['job.workspace', 'job.ended']);
  assert.deepEqual(a.sent.find((m) => m.type === 'job.ended'), { type: 'job.ended', jobId: job.id });
  assert.deepEqual(bystander.sent, [], 'an agent that never rendered the job hears nothing of it');

  // Deleting the done job later sends nothing more: it ended already.
  await scheduler.jobControls.deleteJob(job.id);
  assert.equal(a.types().filter((t) => t === 'job.ended').length, 1);
});

test('cancel and delete send job.ended after the task.cancel; a retried job gets its workspace again before its first task', async (t) => {
  const { scheduler, connect } = setup(t);
  const a = connect('a1', ['blender'], 1);
  const job = renderJob('1-3');
  scheduler.addJob(job, { isNew: true });
  await round();
  assert.deepEqual(a.types(), ['job.workspace', 'task.assign']);

  scheduler.jobControls.cancelJob(job.id);
  assert.deepEqual(a.types(), ['job.workspace', 'task.assign', 'task.cancel', 'job.ended']);

  scheduler.jobControls.retryJob(job.id);
  await round();
  assert.deepEqual(a.types().slice(4), ['job.workspace', 'task.assign'], 'the ended job was forgotten: its workspace goes again');

  await scheduler.jobControls.deleteJob(job.id);
  assert.deepEqual(a.types().slice(6), ['task.cancel', 'job.ended']);
  assert.equal(a.types().filter((t) => t === 'job.workspace').length, 2);
});

test('a Blender job whose scene needs no other file sends no job.workspace, yet job.ended when it ends', async (t) => {
  const { scheduler, connect } = setup(t);
  const a = connect('a1');
  const job = compileBlenderJob({ scenePath: '/art/shot.blend', frames: readFrameList('1'), outputDir: '/out' }, { scene, scenePath: '/art/shot.blend', sceneInfo: null, agentCount: 1 });
  scheduler.addJob(job, { isNew: true });
  await round();
  assert.deepEqual(a.types(), ['task.assign']);
  scheduler.jobControls.cancelJob(job.id);
  assert.deepEqual(a.types(), ['task.assign', 'task.cancel', 'job.ended']);
});

test('after a restart, the agent a loaded job last rendered on is told when it ends, though it got no task since', async (t) => {
  const { scheduler, connect } = setup(t);
  const job = renderJob('1-2');
  Object.assign(job.tasks[0]!, { state: 'succeeded', attempt: 1, agentId: 'old', progress: 1 });
  scheduler.addJob(job, { isNew: false });
  const old = connect('old', ['ffmpeg']); // back, but no longer able to render
  const other = connect('a2', ['blender'], 1);
  await round();
  assert.deepEqual(other.types(), ['job.workspace', 'task.assign']);
  assert.deepEqual(old.sent, []);
  scheduler.jobControls.cancelJob(job.id);
  assert.deepEqual(old.types(), ['job.ended']);
  assert.deepEqual(other.types(), ['job.workspace', 'task.assign', 'task.cancel', 'job.ended']);
});
