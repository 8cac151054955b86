import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { AgentSettings } from '../../electron/controller/agents/agent-settings.js';
import { createFarmService, type FarmService } from '../../electron/controller/api/farm-service.js';
import { compileNoopJob } from '../../electron/controller/jobs/noop/noop-job.js';
import { startLoopbackFarm, type LoopbackFarm } from '../helpers/loopback-farm.js';

// Drain and stop now, judged by what the agents really did: each agent logs "task <id>
// attempt <n> started" when it starts a task and "… stopped: canceled by the controller" when
// it stops one, and these tests read those lines, not the controller's bookkeeping.

interface AgentLine {
  agent: number;
  kind: 'started' | 'stopped';
  taskId: string;
  attempt: number;
  at: number;
}

async function recordedFarm(count: number): Promise<{ farm: LoopbackFarm; service: FarmService; seen: AgentLine[] }> {
  const seen: AgentLine[] = [];
  const farm = await startLoopbackFarm({
    agents: Array.from({ length: count }, (_, i) => ({
      slots: 1,
      log: (line: string) => {
        const m = /^task (\S+) attempt (\d+) (started|stopped)/.exec(line);
        if (m) seen.push({ agent: i, kind: m[3] as AgentLine['kind'], taskId: m[1]!, attempt: Number(m[2]), at: performance.now() });
      },
    })),
  });
  const service = createFarmService(farm.controller, { outputRoot: join(farm.dir, 'out'), home: farm.dir, agentSettings: await AgentSettings.open(null) });
  await farm.waitFor(() => farm.controller.agents().filter((a) => a.online).length === count, 'agents online');
  return { farm, service, seen };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

test('drain: the agent finishes the task it runs and starts no other; enabling it gives it work again', async () => {
  const { farm, service, seen } = await recordedFarm(2);
  try {
    const job = compileNoopJob({ count: 6, durationMs: 400, outputDir: join(farm.dir, 'out') });
    farm.controller.submit(job);
    await farm.waitFor(() => seen.filter((s) => s.kind === 'started').length === 2, 'both agents busy');
    const drained = farm.agents[1]!;
    const view = await service.api['agents.drain']({ agentId: drained.agentId });
    assert.equal(view.enabled, false);
    const startedBefore = seen.filter((s) => s.agent === 1 && s.kind === 'started').length;
    assert.equal((await farm.controller.waitForJob(job.id)).state, 'succeeded');
    assert.equal(seen.filter((s) => s.agent === 1 && s.kind === 'started').length, startedBefore, 'the drained agent started nothing new');
    assert.equal(seen.filter((s) => s.kind === 'stopped').length, 0, 'its running task was not stopped');
    const tasks = await service.api['tasks.list']({ jobId: job.id, offset: 0, limit: 10 });
    assert.ok(tasks.items.every((t) => t.attempt === 1 && t.failures === 0), 'every task ran once: the drained agent\'s task finished there');

    await service.api['agents.setEnabled']({ agentId: drained.agentId, enabled: true });
    const more = compileNoopJob({ count: 6, durationMs: 100, outputDir: join(farm.dir, 'out') });
    farm.controller.submit(more);
    await farm.controller.waitForJob(more.id);
    assert.ok(seen.some((s) => s.agent === 1 && s.kind === 'started' && s.taskId.startsWith(`${more.id}.`)), 'enabled again, it ran tasks');
  } finally {
    await farm.close();
  }
});

test('stop now: the agent stops its running task at once, the task runs again elsewhere as a new attempt with no failure counted', async () => {
  const { farm, service, seen } = await recordedFarm(2);
  try {
    const job = compileNoopJob({ count: 2, durationMs: 3000, outputDir: join(farm.dir, 'out') });
    farm.controller.submit(job);
    await farm.waitFor(() => seen.filter((s) => s.kind === 'started').length === 2, 'both agents busy');
    const stopped = farm.agents[1]!;
    const stoppedTask = seen.find((s) => s.agent === 1 && s.kind === 'started')!.taskId;
    const at = performance.now();
    const view = await service.api['agents.stopNow']({ agentId: stopped.agentId });
    assert.equal(view.enabled, false);
    assert.equal(view.requeued, 1);
    await farm.waitFor(() => seen.some((s) => s.agent === 1 && s.kind === 'stopped'), 'the agent to stop its task', 2000);
    const stop = seen.find((s) => s.agent === 1 && s.kind === 'stopped')!;
    assert.deepEqual([stop.taskId, stop.attempt], [stoppedTask, 1]);
    assert.ok(stop.at - at < 1000, `the task stopped ${Math.round(stop.at - at)} ms after the request, not at its end`);

    assert.equal((await farm.controller.waitForJob(job.id)).state, 'succeeded');
    const rerun = seen.filter((s) => s.kind === 'started' && s.taskId === stoppedTask);
    assert.deepEqual(rerun.map((s) => [s.agent, s.attempt]), [[1, 1], [0, 2]], 'it ran again on the other agent as attempt 2');
    assert.equal(seen.filter((s) => s.agent === 1 && s.kind === 'started').length, 1, 'the stopped agent took nothing new');
    const task = (await service.api['tasks.list']({ jobId: job.id, offset: 0, limit: 10 })).items.find((t) => t.id === stoppedTask)!;
    assert.deepEqual([task.state, task.attempt, task.failures, task.error], ['succeeded', 2, 0, null]);
    await sleep(200);
    assert.equal(seen.filter((s) => s.kind === 'stopped').length, 1);
  } finally {
    await farm.close();
  }
});

test('stop now on an idle agent stops nothing and just takes it out of the rotation; unknown agents are not-found', async () => {
  const { farm, service } = await recordedFarm(1);
  try {
    const view = await service.api['agents.stopNow']({ agentId: farm.agents[0]!.agentId });
    assert.deepEqual([view.enabled, view.requeued], [false, 0]);
    await assert.rejects(service.api['agents.drain']({ agentId: 'nobody' }), (e: Error & { code?: string }) => e.code === 'not-found' && /no agent nobody/.test(e.message));
    await assert.rejects(service.api['agents.stopNow']({ agentId: 'nobody' }), /no agent nobody/);
  } finally {
    await farm.close();
  }
});

test('tasks.log with fromLine gives only the lines after those already read', async () => {
  const { farm, service } = await recordedFarm(1);
  try {
    const job = compileNoopJob({ count: 1, log: 'noop says hello', outputDir: join(farm.dir, 'out') });
    farm.controller.submit(job);
    await farm.controller.waitForJob(job.id);
    const taskId = job.tasks[0]!.id;
    await farm.waitFor(() => true, 'noop');
    const whole = await service.api['tasks.log']({ taskId });
    assert.deepEqual([whole.lines, whole.firstLine, whole.totalLines], [['noop says hello'], 0, 1]);
    const rest = await service.api['tasks.log']({ taskId, fromLine: 1 });
    assert.deepEqual([rest.lines, rest.firstLine, rest.totalLines], [[], 1, 1]);
  } finally {
    await farm.close();
  }
});
