import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, before, test } from 'node:test';
import { AgentSettings } from '../../electron/controller/agents/agent-settings.js';
import { createFarmService, type FarmService } from '../../electron/controller/api/farm-service.js';
import { createAgent, type AgentOptions } from '../../node-agent/create-agent.js';
import { generateFarmKey } from '../../node-agent/protocol/index.js';
import { makeFaultyScene } from '../helpers/scene-fault-scenes.js';
import { startLoopbackFarm, type LoopbackFarm } from '../helpers/loopback-farm.js';

// Fail fast with real Blender: a scene without a camera fails the same way on every agent.
// On two loopback agents the job pauses after the first attempt on each (2 attempts, not
// maxAttempts × agents), with one sentence naming the problem and the fix, in the API's job
// view and from a one-shot `farmhand render`, which exits 1 instead of waiting on the paused
// job; resuming retries. Blender's "Image too small" (a tiny resolution, an empty render region)
// pauses the same way. With one agent the normal retries apply. Attempts are counted from
// what the agents ran (their "task <id> attempt <n> started" lines).

const root = fileURLToPath(new URL('../..', import.meta.url));
const FARMHAND = join(root, 'bin/farmhand.js');

const SENTENCE = 'Blender cannot render "nocam.blend": no camera is set for the scene; add a camera, make it the scene\'s camera (Scene properties), save the scene and submit it again';
const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
/** The pause reason: the sentence, then which two agents' first attempts agreed. */
const reasonOf = (sentence: string) => new RegExp(`^${escape(sentence)} \\(the first attempts on agents (ff-a and ff-b|ff-b and ff-a) failed the same way\\)\\.$`);
const REASON = reasonOf(SENTENCE);

const TOO_SMALL = (name: string) => `Blender cannot render "${name}": its output image is too small (the resolution at its percentage, or an empty render region); raise the resolution or its percentage, or turn off Render Region, save the scene and submit it again`;

let dir: string;
let scene: string;
let tooSmall: { resolution: string; region: string };

before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'fh-fail-fast-'));
  scene = await makeFaultyScene(dir, 'no-camera', 'nocam.blend');
  tooSmall = { resolution: await makeFaultyScene(dir, 'tiny-resolution', 'tiny.blend'), region: await makeFaultyScene(dir, 'empty-region', 'empty-region.blend') };
});

after(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
});

async function farmWithAttempts(agents: Partial<AgentOptions>[]): Promise<{ farm: LoopbackFarm; service: FarmService; attempts: () => number }> {
  let started = 0;
  const farm = await startLoopbackFarm({ agents: agents.map((a) => ({ ...a, log: (line: string) => { if (/^task \S+ attempt \d+ started/.test(line)) started++; } })) });
  const service = createFarmService(farm.controller, { outputRoot: join(farm.dir, 'out'), home: join(farm.dir, 'service'), agentSettings: await AgentSettings.open(null) });
  await farm.waitFor(() => farm.controller.agents().filter((a) => a.online).length === agents.length, 'agents online');
  return { farm, service, attempts: () => started };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

test('two agents: the job pauses with the error after 2 attempts, says so in the API, and resuming retries', { timeout: 120_000 }, async () => {
  const { farm, service, attempts } = await farmWithAttempts([{ slots: 1, name: 'ff-a' }, { slots: 1, name: 'ff-b' }]);
  try {
    const submitted = await service.api['jobs.submit']({ type: 'render', scenePath: scene, frames: '1-4', chunkSize: 1, outputDir: join(dir, 'out-api'), priority: 50, tags: [], video: false });
    await farm.waitFor(() => farm.controller.scheduler.job(submitted.id)?.state === 'paused', 'the job paused', 60_000);
    await sleep(1500); // time for a third attempt, were one to start
    const job = await service.api['jobs.get']({ jobId: submitted.id });
    assert.equal(job.state, 'paused');
    assert.equal(job.pauseCause, 'fail-fast');
    assert.match(job.pauseReason ?? '', REASON);
    assert.equal(attempts(), 2, 'one attempt on each agent, then no more');
    const tasks = (await service.api['tasks.list']({ jobId: submitted.id, offset: 0, limit: 100 })).items;
    assert.deepEqual(tasks.map((t) => t.state), ['queued', 'queued', 'queued', 'queued']);
    assert.equal(tasks.reduce((n, t) => n + t.failures, 0), 2);
    assert.ok(farm.notices.some((n) => n === `Job "nocam.blend" is paused: ${job.pauseReason}`), farm.notices.join(' | '));
    // The listing says it too (the summary is the same view).
    const listed = (await service.api['jobs.list']({ offset: 0, limit: 100 })).items.find((j) => j.id === submitted.id)!;
    assert.equal(listed.pauseReason, job.pauseReason);

    // Resume retries: the first attempts count afresh, so it pauses again after two more.
    await service.api['jobs.resume']({ jobId: submitted.id });
    assert.equal((await service.api['jobs.get']({ jobId: submitted.id })).pauseReason, undefined, 'the reason goes with the pause');
    await farm.waitFor(() => attempts() >= 3, 'a retry after resume', 30_000);
    await farm.waitFor(() => farm.controller.scheduler.job(submitted.id)?.state === 'paused', 'paused again', 60_000);
    await sleep(1000);
    assert.equal(attempts(), 4);
    assert.match((await service.api['jobs.get']({ jobId: submitted.id })).pauseReason ?? '', REASON);
  } finally {
    await farm.close();
  }
});

test('"Image too small" (a tiny resolution, and an empty render region) pauses the job after the first attempt on each of two agents, with the sentence naming both causes', { timeout: 180_000 }, async () => {
  const { farm, service, attempts } = await farmWithAttempts([{ slots: 1, name: 'ff-a' }, { slots: 1, name: 'ff-b' }]);
  try {
    for (const path of [tooSmall.resolution, tooSmall.region]) {
      const name = basename(path);
      const before = attempts();
      const submitted = await service.api['jobs.submit']({ type: 'render', scenePath: path, frames: '1-4', chunkSize: 1, outputDir: join(dir, `out-${name}`), priority: 50, tags: [], video: false });
      await farm.waitFor(() => farm.controller.scheduler.job(submitted.id)?.state === 'paused', `${name} paused`, 60_000);
      await sleep(1500); // time for a third attempt, were one to start
      const job = await service.api['jobs.get']({ jobId: submitted.id });
      assert.equal(job.pauseCause, 'fail-fast', name);
      assert.match(job.pauseReason ?? '', reasonOf(TOO_SMALL(name)), name);
      assert.equal(attempts() - before, 2, `${name}: one attempt on each agent, then no more`);
      const tasks = (await service.api['tasks.list']({ jobId: submitted.id, offset: 0, limit: 100 })).items;
      assert.deepEqual(tasks.map((t) => t.state), ['queued', 'queued', 'queued', 'queued'], name);
      assert.equal(tasks.reduce((n, t) => n + t.failures, 0), 2, name);
      await service.api['jobs.cancel']({ jobId: submitted.id });
    }
  } finally {
    await farm.close();
  }
});

test('one agent: no second opinion, so the normal retries apply and the job fails', { timeout: 120_000 }, async () => {
  const { farm, service, attempts } = await farmWithAttempts([{ slots: 1, name: 'ff-alone' }]);
  try {
    const submitted = await service.api['jobs.submit']({ type: 'render', scenePath: scene, frames: '1', outputDir: join(dir, 'out-one'), priority: 50, tags: [], video: false });
    const done = await farm.controller.waitForJob(submitted.id);
    assert.equal(done.state, 'failed');
    assert.equal(done.pauseReason, undefined);
    assert.equal(attempts(), 3, 'maxAttempts (3) on the one agent');
    const [task] = (await service.api['tasks.list']({ jobId: submitted.id, offset: 0, limit: 100 })).items;
    assert.equal(task!.error, `${SENTENCE}.`);
  } finally {
    await farm.close();
  }
});

test('a one-shot `farmhand render` on two agents prints the sentence and exits 1 instead of waiting on the paused job', { timeout: 180_000 }, async () => {
  // Agents alone (the CLI's one-shot controller is theirs): each counts the attempts it starts.
  const farmKey = generateFarmKey();
  let started = 0;
  const log = (line: string) => { if (/^task \S+ attempt \d+ started/.test(line)) started++; };
  const agents = await Promise.all(['ff-a', 'ff-b'].map((name) => createAgent({ farmKey, name, slots: 1, dataDir: join(dir, `cli-${name}`), host: '127.0.0.1', port: 0, mdns: false, log })));
  try {
    const args = ['render', scene, '--no-discover', '--no-local-agent', '--farm-key', farmKey, '--agent', agents[0]!.url, '--agent', agents[1]!.url, '--frames', '1-4', '--chunk', '1', '--out', join(dir, 'out-cli')];
    const child = spawn(process.execPath, [FARMHAND, ...args], { cwd: root, env: { ...process.env, FARMHAND_HOME: join(dir, 'cli-home'), FARMHAND_MDNS_INTERFACE: '127.0.0.1' }, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (d: Buffer) => (output += d));
    child.stderr.on('data', (d: Buffer) => (output += d));
    const timer = setTimeout(() => child.kill('SIGKILL'), 150_000);
    const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
    clearTimeout(timer);
    assert.equal(code, 1, output);
    const line = output.split('\n').find((l) => l.startsWith('Render failed:'));
    assert.ok(line, output);
    assert.match(line.replace(/^Render failed: 0 of 4 frame\(s\) are in \S+\. /, ''), REASON);
    assert.equal(started, 2, 'one attempt on each agent');
  } finally {
    await Promise.all(agents.map((a) => a.close().catch(() => undefined)));
  }
});
