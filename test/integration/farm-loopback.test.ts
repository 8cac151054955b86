import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { WebSocket } from 'ws';
import { compileNoopJob } from '../../electron/controller/jobs/noop/noop-job.js';
import { newJob, newJobId, newTask } from '../../electron/controller/jobs/new-job.js';
import { generateFarmKey } from '../../node-agent/protocol/index.js';
import { connectSecure } from '../../node-agent/channel/index.js';
import { startLoopbackFarm } from '../helpers/loopback-farm.js';

const online = (farm: { controller: { agents(): { online: boolean }[] } }) => farm.controller.agents().filter((a) => a.online).length;

test('tasks spread over agents by free slots, every task succeeds once', async () => {
  const farm = await startLoopbackFarm({ agents: [{ slots: 1 }, { slots: 2 }] });
  try {
    await farm.waitFor(() => online(farm) === 2, 'two agents online');
    const job = compileNoopJob({ count: 60, durationMs: 20, outputDir: join(farm.dir, 'out') });
    farm.controller.submit(job);
    const summary = await farm.controller.waitForJob(job.id);
    assert.equal(summary.state, 'succeeded');
    assert.equal(summary.succeededCount, 60);
    const perAgent = new Map<string, number>();
    for (const task of job.tasks) {
      assert.equal(task.state, 'succeeded');
      assert.equal(task.attempt, 1, `task ${task.id} ran more than once`);
      perAgent.set(task.agentId!, (perAgent.get(task.agentId!) ?? 0) + 1);
    }
    const [a, b] = farm.agents.map((x) => perAgent.get(x.agentId) ?? 0);
    assert.ok(a! > 5 && b! > a!, `the 2-slot agent should run more: ${a} vs ${b}`);
  } finally {
    await farm.close();
  }
});

test('outputs come back hash-checked into the job folder and are released on the agent', async () => {
  const farm = await startLoopbackFarm({ agents: [{}, {}] });
  try {
    await farm.waitFor(() => online(farm) === 2, 'two agents online');
    const outputDir = join(farm.dir, 'out');
    const job = compileNoopJob({ count: 6, outputBytes: 3 * 1024 * 1024 + 17, outputDir });
    farm.controller.submit(job);
    assert.equal((await farm.controller.waitForJob(job.id)).state, 'succeeded');
    const files = (await readdir(outputDir)).sort();
    assert.equal(files.length, 6, `expected 6 outputs, found ${files.join(', ')}`);
    for (const file of files) assert.equal((await stat(join(outputDir, file))).size, 3 * 1024 * 1024 + 17);
    // The agents dropped what they held once the controller acknowledged it.
    const heldCount = async () => {
      let n = 0;
      for (const i of farm.agents.keys()) n += (await readdir(join(farm.dir, `agent-${i}`, 'held')).catch(() => [])).length;
      return n;
    };
    for (let i = 0; i < 100 && (await heldCount()) > 0; i++) await new Promise((r) => setTimeout(r, 20));
    assert.equal(await heldCount(), 0);
  } finally {
    await farm.close();
  }
});

test('a failing task is retried within its bound, then the job fails with the reason', async () => {
  const farm = await startLoopbackFarm({ agents: [{}] });
  try {
    await farm.waitFor(() => online(farm) === 1, 'agent online');
    const job = compileNoopJob({ count: 1, failWith: 'simulated crash', outputDir: join(farm.dir, 'out'), maxAttempts: 2 });
    farm.controller.submit(job);
    const summary = await farm.controller.waitForJob(job.id);
    assert.equal(summary.state, 'failed');
    assert.equal(job.tasks[0]!.failures, 2);
    assert.equal(job.tasks[0]!.attempt, 2);
    assert.equal(job.tasks[0]!.error, 'simulated crash');
  } finally {
    await farm.close();
  }
});

test('a node that fails the same job 3 times gets no more of its tasks', async () => {
  const farm = await startLoopbackFarm({ agents: [{}] });
  try {
    await farm.waitFor(() => online(farm) === 1, 'agent online');
    const job = compileNoopJob({ count: 5, failWith: 'bad node', outputDir: join(farm.dir, 'out'), maxAttempts: 10 });
    farm.controller.submit(job);
    const summary = await farm.controller.waitForJob(job.id);
    assert.equal(summary.state, 'failed');
    const attempts = job.tasks.reduce((n, t) => n + t.attempt, 0);
    assert.equal(attempts, 3, 'the agent ran exactly 3 attempts of the job before being blocked');
    assert.match(summary.failure ?? '', /Every agent able to run it failed 3 times; last error: bad node/);
    assert.ok(farm.notices.some((n) => /failed job .* 3 times and gets no more of its tasks/.test(n)));
  } finally {
    await farm.close();
  }
});

test('an agent that cannot run the task type is never given it, and the job says why', async () => {
  const farm = await startLoopbackFarm({ agents: [{ allowNoop: false }] });
  try {
    await farm.waitFor(() => online(farm) === 1, 'agent online');
    const job = compileNoopJob({ count: 3, outputDir: join(farm.dir, 'out') });
    const runtime = farm.controller.scheduler.job(farm.controller.submit(job).id)!;
    await farm.waitFor(() => runtime.unrunnableReason !== null, 'a reason');
    assert.equal(runtime.unrunnableReason, 'no agent online can run noop tasks.');
    assert.ok(job.tasks.every((t) => t.attempt === 0 && t.state === 'queued'));
  } finally {
    await farm.close();
  }
});

test('an agent with another farm key is refused: no task runs there and the user sees why', async () => {
  const farm = await startLoopbackFarm({ agents: [] });
  try {
    const stranger = await farm.startAgent({ farmKey: generateFarmKey() });
    farm.controller.pool.add(stranger.url);
    const job = compileNoopJob({ count: 2, outputDir: join(farm.dir, 'out') });
    const runtime = farm.controller.scheduler.job(farm.controller.submit(job).id)!;
    await farm.waitFor(() => farm.notices.some((n) => n.includes('refused')), 'a refusal notice');
    assert.match(farm.notices.find((n) => n.includes('refused'))!, /belongs to a different farm: its farm key does not match/);
    await farm.waitFor(() => runtime.unrunnableReason !== null, 'a waiting reason');
    assert.equal(runtime.unrunnableReason, 'no agents online.');
    assert.equal(online(farm), 0);
    assert.ok(job.tasks.every((t) => t.attempt === 0));
  } finally {
    await farm.close();
  }
});

test('a lost agent\'s tasks are requeued without charging an attempt, and the job completes', async () => {
  const farm = await startLoopbackFarm({ agents: [{}, {}] });
  try {
    await farm.waitFor(() => online(farm) === 2, 'two agents online');
    const job = compileNoopJob({ count: 8, durationMs: 400, outputDir: join(farm.dir, 'out') });
    farm.controller.submit(job);
    const victim = farm.agents[0]!;
    await farm.waitFor(() => job.tasks.some((t) => t.agentId === victim.agentId && (t.state === 'assigned' || t.state === 'running')), 'a task on the victim');
    await victim.close();
    const summary = await farm.controller.waitForJob(job.id);
    assert.equal(summary.state, 'succeeded');
    assert.ok(job.tasks.every((t) => t.failures === 0), 'losing an agent is not a task failure');
    assert.ok(job.tasks.some((t) => t.attempt === 2), 'the victim\'s task ran again elsewhere');
    assert.ok(farm.notices.some((n) => /went offline/.test(n)));
  } finally {
    await farm.close();
  }
});

test('an agent refuses a plain connection without a frame, answers a key holder\'s invalid messages with an error, and keeps working', async () => {
  const farm = await startLoopbackFarm({ agents: [{}] });
  try {
    const url = farm.agents[0]!.url;
    // A client without TLS (a controller of protocol 2, or anyone): no frame, no task.
    const plain = new WebSocket(url.replace('wss://', 'ws://'));
    const plainFrames: string[] = [];
    plain.on('message', (d) => plainFrames.push(d.toString()));
    const plainEnd = await new Promise<string>((r) => {
      plain.once('error', (e) => r(`error ${e.message}`));
      plain.once('open', () => r('open'));
    });
    assert.notEqual(plainEnd, 'open');
    assert.deepEqual(plainFrames, []);
    // A client with the key: garbage is answered with an error and dropped.
    const ws = connectSecure(url, { farmKey: farm.farmKey, controllerId: 'probe' });
    const frames: string[] = [];
    ws.on('message', (d) => frames.push(d.toString()));
    await new Promise((r) => ws.once('open', r));
    ws.send('this is not json');
    await farm.waitFor(() => frames.some((f) => f.includes('"type":"error"') && f.includes('not valid JSON')), 'an error reply');
    assert.ok(frames[0]!.includes('"type":"agent.hello"'), 'the hello comes first');
    ws.terminate();
    // The farm still works.
    await farm.waitFor(() => online(farm) === 1, 'agent online');
    const job = compileNoopJob({ count: 3, outputDir: join(farm.dir, 'out') });
    farm.controller.submit(job);
    assert.equal((await farm.controller.waitForJob(job.id)).state, 'succeeded');
  } finally {
    await farm.close();
  }
});

test('an unrecoverable error fails the job at once with the reason, without retrying', async () => {
  const farm = await startLoopbackFarm({ agents: [{}] });
  try {
    await farm.waitFor(() => online(farm) === 1, 'agent online');
    const job = compileNoopJob({ count: 4, failWith: 'The scene "x.blend" is not a Blender file.', unrecoverable: true, outputDir: join(farm.dir, 'out') });
    farm.controller.submit(job);
    const summary = await farm.controller.waitForJob(job.id);
    assert.equal(summary.state, 'failed');
    assert.equal(summary.failure, 'The scene "x.blend" is not a Blender file.');
    assert.equal(job.tasks.reduce((n, t) => n + t.attempt, 0), 1, 'no retry, no other task started');
    assert.deepEqual(job.tasks.map((t) => t.state).sort(), ['canceled', 'canceled', 'canceled', 'failed']);
  } finally {
    await farm.close();
  }
});

test('a task over its wall-clock limit is stopped on the agent and retried, then fails with the reason', async () => {
  const farm = await startLoopbackFarm({ agents: [{}] });
  try {
    await farm.waitFor(() => online(farm) === 1, 'agent online');
    const job = compileNoopJob({ count: 1, durationMs: 60_000, taskTimeoutMs: 1000, maxAttempts: 2, outputDir: join(farm.dir, 'out') });
    const started = Date.now();
    farm.controller.submit(job);
    const summary = await farm.controller.waitForJob(job.id);
    assert.equal(summary.state, 'failed');
    assert.match(job.tasks[0]!.error ?? '', /exceeded its wall-clock limit of 1 s/);
    assert.equal(job.tasks[0]!.attempt, 2);
    assert.ok(Date.now() - started < 10_000);
  } finally {
    await farm.close();
  }
});

test('higher priority first, then older first', async () => {
  const farm = await startLoopbackFarm({ agents: [] });
  try {
    const order: string[] = [];
    farm.controller.events.on('task', (t) => t.state === 'assigned' && order.push(t.jobId));
    const low = compileNoopJob({ count: 2, priority: 10, outputDir: join(farm.dir, 'a') });
    const old = compileNoopJob({ count: 2, priority: 50, outputDir: join(farm.dir, 'b') });
    old.createdAt -= 1000;
    const young = compileNoopJob({ count: 2, priority: 50, outputDir: join(farm.dir, 'c') });
    const urgent = compileNoopJob({ count: 2, priority: 90, outputDir: join(farm.dir, 'd') });
    for (const job of [low, young, old, urgent]) farm.controller.submit(job);
    const agent = await farm.startAgent({ slots: 1 });
    farm.controller.pool.add(agent.url);
    for (const job of [low, young, old, urgent]) await farm.controller.waitForJob(job.id);
    assert.deepEqual(order, [urgent.id, urgent.id, old.id, old.id, young.id, young.id, low.id, low.id]);
  } finally {
    await farm.close();
  }
});

test('a task fed by another task\'s outputs gets them as inputs and runs where they already are', async () => {
  const farm = await startLoopbackFarm({ agents: [{}, {}] });
  try {
    await farm.waitFor(() => online(farm) === 2, 'two agents online');
    const id = newJobId();
    const producer = newTask(id, 0, 'chunk', { type: 'noop', outputBytes: 2 * 1024 * 1024 }, [], [], { intermediate: true });
    const consumer = newTask(id, 1, 'join', { type: 'noop', outputBytes: 1000 }, [], [producer.id], { inputsFromDependencies: true });
    const outputDir = join(farm.dir, 'out');
    const job = newJob({ id, name: 'chain', type: 'noop', priority: 50, tags: [], outputDir, inputFiles: [], settings: {}, tasks: [producer, consumer] });
    farm.controller.submit(job);
    assert.equal((await farm.controller.waitForJob(job.id)).state, 'succeeded');
    assert.equal(consumer.agentId, producer.agentId, 'the consumer ran where the intermediate output already was');
    // The intermediate went to the job's work folder, the final output to the user's folder.
    assert.deepEqual(await readdir(outputDir).then((f) => f.filter((n) => !n.startsWith('.'))), [`${consumer.id}__1.bin`]);
    const cache = await readdir(join(farm.dir, `agent-${farm.agents.findIndex((a) => a.agentId === producer.agentId)}`, 'inputs'));
    assert.ok(cache.includes(producer.outputs[0]!.sha256), 'the producer kept its output as a cached input');
  } finally {
    await farm.close();
  }
});

test('a task that fails for good ends the tasks that need it, and the job fails instead of waiting forever', async () => {
  const farm = await startLoopbackFarm({ agents: [{}] });
  try {
    await farm.waitFor(() => online(farm) === 1, 'agent online');
    const id = newJobId();
    const good = newTask(id, 0, 'chunk 1', { type: 'noop', outputBytes: 100 }, [], [], { intermediate: true });
    const bad = newTask(id, 1, 'chunk 2', { type: 'noop', failWith: 'chunk 2 has 18 frames, expected 36.' }, [], [], { intermediate: true });
    const join1 = newTask(id, 2, 'join', { type: 'noop' }, [], [good.id, bad.id], { inputsFromDependencies: true });
    const after = newTask(id, 3, 'after join', { type: 'noop' }, [], [join1.id], { inputsFromDependencies: true });
    const job = newJob({ id, name: 'broken chain', type: 'noop', priority: 50, tags: [], outputDir: join(farm.dir, 'out'), inputFiles: [], settings: { maxAttempts: 2 }, tasks: [good, bad, join1, after] });
    farm.controller.submit(job);
    const summary = await farm.controller.waitForJob(job.id);
    assert.equal(summary.state, 'failed');
    assert.deepEqual([good.state, bad.state, join1.state, after.state], ['succeeded', 'failed', 'canceled', 'canceled']);
    assert.equal(bad.failures, 2);
    assert.match(join1.error ?? '', /needs task chunk 2, which failed/);
    assert.ok(farm.notices.some((n) => /chunk 2 .* failed 2 times: chunk 2 has 18 frames, expected 36\./.test(n)), farm.notices.join('\n'));
  } finally {
    await farm.close();
  }
});
