import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { AgentSettings } from '../../electron/controller/agents/agent-settings.js';
import { createFarmService, type FarmService } from '../../electron/controller/api/farm-service.js';
import { compileNoopJob } from '../../electron/controller/jobs/noop/noop-job.js';
import type { AgentOptions } from '../../node-agent/create-agent.js';
import { startLoopbackFarm, type LoopbackFarm } from '../helpers/loopback-farm.js';

// Job and agent controls through the service's API, each judged by what the agents really
// ran: every agent logs "task <id> attempt <n> started" when it starts a task, and these
// tests read those lines, not the controller's own bookkeeping.

interface Started {
  agent: number;
  taskId: string;
  attempt: number;
  at: number;
}

async function farmWithRecords(agents: Partial<AgentOptions>[]): Promise<{ farm: LoopbackFarm; service: FarmService; started: Started[] }> {
  const started: Started[] = [];
  const farm = await startLoopbackFarm({
    agents: agents.map((a, i) => ({
      ...a,
      log: (line: string) => {
        const m = /^task (\S+) attempt (\d+) started/.exec(line);
        if (m) started.push({ agent: i, taskId: m[1]!, attempt: Number(m[2]), at: performance.now() });
      },
    })),
  });
  const service = createFarmService(farm.controller, { outputRoot: join(farm.dir, 'out'), home: farm.dir, agentSettings: await AgentSettings.open(null) });
  await farm.waitFor(() => farm.controller.agents().filter((a) => a.online).length === agents.length, 'agents online');
  return { farm, service, started };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const ofJob = (started: Started[], jobId: string) => started.filter((s) => s.taskId.startsWith(`${jobId}.`));

test('pause: no new task of the job starts, the running one finishes; resume: the rest run, each once', async () => {
  const { farm, service, started } = await farmWithRecords([{ slots: 1 }]);
  try {
    const job = compileNoopJob({ count: 8, durationMs: 150, outputDir: join(farm.dir, 'out') });
    farm.controller.submit(job);
    await farm.waitFor(() => ofJob(started, job.id).length === 2, 'two tasks started');
    const paused = await service.api['jobs.pause']({ jobId: job.id });
    assert.equal(paused.state, 'paused');
    const atPause = ofJob(started, job.id).length;
    await sleep(600); // four task lengths: an unpaused job would have started more
    assert.equal(ofJob(started, job.id).length, atPause, 'no task started while paused');
    assert.equal((await service.api['jobs.get']({ jobId: job.id })).succeededCount, atPause, 'the running task finished');
    await service.api['jobs.resume']({ jobId: job.id });
    const done = await farm.controller.waitForJob(job.id);
    assert.equal(done.state, 'succeeded');
    assert.deepEqual(ofJob(started, job.id).map((s) => s.attempt), Array(8).fill(1), 'every task ran once');
  } finally {
    await farm.close();
  }
});

test('cancel: running tasks stop on their agents and nothing of the job runs again', async () => {
  const { farm, service, started } = await farmWithRecords([{ slots: 1 }, { slots: 1 }]);
  try {
    const job = compileNoopJob({ count: 6, durationMs: 5000, outputDir: join(farm.dir, 'out') });
    farm.controller.submit(job);
    await farm.waitFor(() => ofJob(started, job.id).length === 2, 'both agents busy');
    const canceledAt = performance.now();
    const canceled = await service.api['jobs.cancel']({ jobId: job.id });
    assert.equal(canceled.state, 'canceled');
    // The agents stop the 5 s tasks: they are free for other work at once.
    const next = compileNoopJob({ count: 2, durationMs: 10, outputDir: join(farm.dir, 'out') });
    farm.controller.submit(next);
    assert.equal((await farm.controller.waitForJob(next.id)).state, 'succeeded');
    assert.ok(performance.now() - canceledAt < 3000, 'the agents were freed well before their 5 s tasks would have ended');
    await sleep(300);
    assert.equal(ofJob(started, job.id).length, 2, 'no task of the canceled job started after the cancel');
    const tasks = await service.api['tasks.list']({ jobId: job.id, offset: 0, limit: 100 });
    assert.ok(tasks.items.every((t) => t.state === 'canceled'));
  } finally {
    await farm.close();
  }
});

test('retry: failed tasks run again with fresh attempts, and each attempt keeps its own log', async () => {
  const { farm, service, started } = await farmWithRecords([{ slots: 2 }]);
  try {
    const job = compileNoopJob({ count: 3, failWith: 'render exploded', log: 'noop says hello', maxAttempts: 1, outputDir: join(farm.dir, 'out') });
    farm.controller.submit(job);
    assert.equal((await farm.controller.waitForJob(job.id)).state, 'failed');
    assert.equal(ofJob(started, job.id).length, 3);
    const retried = await service.api['jobs.retry']({ jobId: job.id });
    assert.equal(retried.requeued, 3);
    assert.equal((await farm.controller.waitForJob(job.id)).state, 'failed');
    const attempts = ofJob(started, job.id).map((s) => `${s.taskId}#${s.attempt}`).sort();
    assert.deepEqual(attempts, job.tasks.flatMap((t) => [`${t.id}#1`, `${t.id}#2`]).sort(), 'each task ran attempt 1, then attempt 2 after the retry');
    const first = job.tasks[0]!;
    await farm.waitFor(() => true, 'noop');
    const log1 = await service.api['tasks.log']({ taskId: first.id, attempt: 1 });
    const log2 = await service.api['tasks.log']({ taskId: first.id });
    assert.deepEqual([log1.attempt, log2.attempt, log2.attempts], [1, 2, 2]);
    assert.deepEqual(log1.lines, ['noop says hello']);
    assert.deepEqual(log2.lines, ['noop says hello']);
    await assert.rejects(service.api['tasks.log']({ taskId: first.id, attempt: 3 }), /has had 2 attempt/);
  } finally {
    await farm.close();
  }
});

test('priority: a change takes effect at the next dispatch', async () => {
  const { farm, service, started } = await farmWithRecords([{ slots: 1 }]);
  try {
    const a = compileNoopJob({ count: 5, durationMs: 120, name: 'A', outputDir: join(farm.dir, 'out') });
    const b = compileNoopJob({ count: 5, durationMs: 120, name: 'B', outputDir: join(farm.dir, 'out') });
    b.createdAt = a.createdAt + 1; // B is younger: at equal priority A goes first
    farm.controller.submit(a);
    farm.controller.submit(b);
    await farm.waitFor(() => started.length === 1, 'first task started');
    await service.api['jobs.setPriority']({ jobId: b.id, priority: 90 });
    await Promise.all([farm.controller.waitForJob(a.id), farm.controller.waitForJob(b.id)]);
    const order = started.map((s) => (s.taskId.startsWith(`${a.id}.`) ? 'A' : 'B')).join('');
    assert.equal(order, 'ABBBBBAAAA');
  } finally {
    await farm.close();
  }
});

test('tags: a tagged job runs only on agents with every tag; tags set on the controller count', async () => {
  const { farm, service, started } = await farmWithRecords([{ slots: 1, tags: ['gpu', 'linux'] }, { slots: 1, tags: ['linux'] }]);
  try {
    const job = compileNoopJob({ count: 6, durationMs: 30, tags: ['gpu'], outputDir: join(farm.dir, 'out') });
    farm.controller.submit(job);
    assert.equal((await farm.controller.waitForJob(job.id)).state, 'succeeded');
    assert.deepEqual([...new Set(ofJob(started, job.id).map((s) => s.agent))], [0], 'only the gpu agent ran it');

    const second = farm.agents[1]!;
    const view = await service.api['agents.setTags']({ agentId: second.agentId, tags: ['gpu'] });
    assert.deepEqual(view.tags, ['gpu']);
    const again = compileNoopJob({ count: 8, durationMs: 60, tags: ['gpu'], outputDir: join(farm.dir, 'out') });
    farm.controller.submit(again);
    assert.equal((await farm.controller.waitForJob(again.id)).state, 'succeeded');
    assert.deepEqual([...new Set(ofJob(started, again.id).map((s) => s.agent))].sort(), [0, 1], 'both now run gpu work');
  } finally {
    await farm.close();
  }
});

test('slots: an agent with 3 slots runs 3 tasks at once, never more', async () => {
  const { farm, started } = await farmWithRecords([{ slots: 3 }]);
  try {
    const job = compileNoopJob({ count: 9, durationMs: 300, outputDir: join(farm.dir, 'out') });
    farm.controller.submit(job);
    assert.equal((await farm.controller.waitForJob(job.id)).state, 'succeeded');
    const starts = ofJob(started, job.id).map((s) => s.at);
    // Starts come in waves of three, one task length apart.
    const waves = [starts.slice(0, 3), starts.slice(3, 6), starts.slice(6, 9)];
    for (const wave of waves) assert.ok(Math.max(...wave) - Math.min(...wave) < 150, `a wave started together: ${wave.map((t) => t.toFixed(0)).join(', ')}`);
    assert.ok(waves[1]![0]! - waves[0]![0]! >= 280, 'the second wave waited for a free slot');
  } finally {
    await farm.close();
  }
});

test('disable: a disabled agent finishes its task and gets no new ones; enable gives it work again', async () => {
  const { farm, service, started } = await farmWithRecords([{ slots: 1 }, { slots: 1 }]);
  try {
    const second = farm.agents[1]!;
    await service.api['agents.setEnabled']({ agentId: second.agentId, enabled: false });
    const job = compileNoopJob({ count: 6, durationMs: 40, outputDir: join(farm.dir, 'out') });
    farm.controller.submit(job);
    assert.equal((await farm.controller.waitForJob(job.id)).state, 'succeeded');
    assert.deepEqual([...new Set(ofJob(started, job.id).map((s) => s.agent))], [0]);
    const listed = await service.api['agents.list']({});
    assert.equal(listed.find((a) => a.agentId === second.agentId)?.enabled, false);
    await service.api['agents.setEnabled']({ agentId: second.agentId, enabled: true });
    const more = compileNoopJob({ count: 8, durationMs: 60, outputDir: join(farm.dir, 'out') });
    farm.controller.submit(more);
    await farm.controller.waitForJob(more.id);
    assert.ok(ofJob(started, more.id).some((s) => s.agent === 1), 'the re-enabled agent ran tasks');
  } finally {
    await farm.close();
  }
});

test('delete: the job leaves the farm and the store; unknown ids give a clear not-found error', async () => {
  const { farm, service } = await farmWithRecords([{ slots: 1 }]);
  try {
    const job = compileNoopJob({ count: 2, durationMs: 5, outputDir: join(farm.dir, 'out') });
    farm.controller.submit(job);
    await farm.controller.waitForJob(job.id);
    assert.deepEqual(await service.api['jobs.delete']({ jobId: job.id }), { jobId: job.id, deleted: true });
    assert.equal((await service.api['jobs.list']({ offset: 0, limit: 10 })).total, 0);
    await assert.rejects(service.api['jobs.get']({ jobId: job.id }), (e: Error & { code?: string }) => e.code === 'not-found' && /no job/.test(e.message));
    await assert.rejects(service.api['jobs.pause']({ jobId: 'nope' }), /no job nope/);
  } finally {
    await farm.close();
  }
});

test('submit: bad input is a bad-input error naming the file and the fix, and nothing is queued', async () => {
  const { farm, service } = await farmWithRecords([{ slots: 1 }]);
  try {
    const missing = join(farm.dir, 'nowhere', 'shot.blend');
    await assert.rejects(service.api['jobs.submit']({ type: 'render', scenePath: missing, video: false, priority: 50, tags: [] }),
      (e: Error & { code?: string }) => e.code === 'bad-input' && e.message.includes(missing));
    await assert.rejects(service.api['jobs.submit']({ type: 'render', scenePath: 'relative/shot.blend', video: false, priority: 50, tags: [] }),
      (e: Error & { code?: string }) => e.code === 'bad-input' && /absolute path/.test(e.message));
    await assert.rejects(service.api['jobs.submit']({ type: 'transcode', inputPath: join(farm.dir, 'none.mp4'), priority: 50, tags: [] }),
      (e: Error & { code?: string }) => e.code === 'bad-input' && /none\.mp4/.test(e.message));
    assert.equal((await service.api['jobs.list']({ offset: 0, limit: 10 })).total, 0);
  } finally {
    await farm.close();
  }
});
