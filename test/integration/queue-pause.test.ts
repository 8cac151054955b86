import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { AgentSettings } from '../../electron/controller/agents/agent-settings.js';
import { createFarmService } from '../../electron/controller/api/farm-service.js';
import { callCommand } from '../../electron/controller/api/api-dispatch.js';
import { compileNoopJob } from '../../electron/controller/jobs/noop/noop-job.js';
import { startLoopbackFarm } from '../helpers/loopback-farm.js';

// farm.pauseQueue / farm.resumeQueue (the tray's "Pause queue"): judged by what the agent
// really started, from the "task <id> attempt <n> started" lines it logs.

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

test('pause queue: no task of any job starts, running ones finish, a job paused on its own stays paused after resume', async () => {
  const started: string[] = [];
  const farm = await startLoopbackFarm({
    agents: [{ slots: 1, log: (line: string) => void (/^task (\S+) attempt \d+ started/.exec(line) && started.push(/^task (\S+)/.exec(line)![1]!)) }],
  });
  try {
    const service = createFarmService(farm.controller, { outputRoot: join(farm.dir, 'out'), home: farm.dir, agentSettings: await AgentSettings.open(null) });
    await farm.waitFor(() => farm.controller.agents().some((a) => a.online), 'agent online');
    const a = compileNoopJob({ count: 6, durationMs: 150, outputDir: join(farm.dir, 'out'), name: 'a' });
    const b = compileNoopJob({ count: 2, durationMs: 10, outputDir: join(farm.dir, 'out'), name: 'b' });
    farm.controller.submit(a);
    await farm.waitFor(() => started.length >= 1, 'first task started');

    assert.deepEqual(await callCommand(service.api, 'farm.pauseQueue', {}), { queuePaused: true });
    assert.equal((await service.api['farm.status']({})).queuePaused, true);
    farm.controller.submit(b);
    await service.api['jobs.pause']({ jobId: b.id });
    const atPause = started.length;
    await sleep(600); // four task lengths: an unheld queue would have started more
    assert.equal(started.length, atPause, 'nothing started while the queue was paused');
    assert.equal((await service.api['jobs.get']({ jobId: a.id })).succeededCount, atPause, 'the running task finished');

    assert.deepEqual(await callCommand(service.api, 'farm.resumeQueue', {}), { queuePaused: false });
    assert.equal((await farm.controller.waitForJob(a.id)).state, 'succeeded');
    assert.equal((await service.api['jobs.get']({ jobId: b.id })).state, 'paused', 'the job paused on its own is still paused');
    assert.equal(started.filter((id) => id.startsWith(`${b.id}.`)).length, 0);
    assert.ok(farm.notices.some((n) => /queue is paused/.test(n)) && farm.notices.some((n) => /queue is resumed/.test(n)), 'clients hear of both');
    // Idempotent: resuming a running queue changes nothing.
    assert.deepEqual(await callCommand(service.api, 'farm.resumeQueue', {}), { queuePaused: false });
  } finally {
    await farm.close();
  }
});
