import assert from 'node:assert/strict';
import { chmod, mkdir, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { after, before, test } from 'node:test';
import { compileBlenderJob } from '../../electron/controller/jobs/blender/blender-job.js';
import { findBlender } from '../../electron/controller/jobs/blender/find-blender.js';
import { readSceneInfo } from '../../electron/controller/jobs/blender/scene-probe.js';
import { describeFile } from '../../node-agent/protocol/index.js';
import { makeTestScene } from '../fixtures/test-scene.js';
import { freePort } from '../helpers/free-port.js';
import { startLoopbackFarm } from '../helpers/loopback-farm.js';

// Issue 19, a fresh farm: the second agent is still checking its Blender (`--version`, then the
// GPU probe) when the job is submitted. It must count as capacity: planned for the ready agent
// alone, the job became one chunk and the second agent sat idle once ready. Real Blender on two
// loopback agents; the second one's Blender (a shell wrapper around the real one) answers
// `--version` only once the test opens a gate, right after the job's first chunk starts on the
// ready agent: so it is surely still checking at the submit, and surely ready while the job still
// has frames queued (a fixed delay raced the ready agent, which finished all 32 tiny frames first
// on a loaded CI machine).

let dir: string;
let scene: string;
let slowToCheck: string;
let gate: string;
const FRAMES = 32;

before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'fh-chunks-checking-'));
  scene = await makeTestScene(dir, { frames: FRAMES, width: 32, height: 18, samples: 1 });
  const real = findBlender();
  if (!real) throw new Error('Blender is not installed: apt-get install -y blender');
  await mkdir(join(dir, 'slow-blender'));
  slowToCheck = join(dir, 'slow-blender', 'blender');
  gate = join(dir, 'version-gate');
  // Waits for the gate at most 60 s (600 × 0.1 s), then answers anyway.
  await writeFile(slowToCheck, `#!/bin/sh\nif [ "$1" = "--version" ]; then i=0; while [ ! -e '${gate}' ] && [ $i -lt 600 ]; do sleep 0.1; i=$((i+1)); done; fi\nexec '${real.replace(/'/g, `'\\''`)}' "$@"\n`);
  await chmod(slowToCheck, 0o755);
});

after(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
});

test('a job submitted while the second agent still checks its tools is split for it: both agents render', { timeout: 240_000 }, async () => {
  const farm = await startLoopbackFarm({ agents: [{ name: 'ready' }] });
  try {
    await farm.waitFor(() => farm.controller.agents().some((a) => a.online && a.taskTypes.includes('blender')), 'the first agent online with Blender', 60_000);
    // The agent listens and greets while its probe runs; createAgent itself resolves once the probe is done.
    const port = await freePort();
    const starting = farm.startAgent({ name: 'checking', blenderPath: slowToCheck, port });
    farm.controller.pool.add(`wss://127.0.0.1:${port}`);
    await farm.waitFor(() => farm.controller.agents().some((a) => a.name === 'checking' && a.online && a.checking.includes('blender')), 'the second agent online, still checking its Blender', 30_000);

    const outputDir = join(dir, 'out');
    const sceneInfo = await readSceneInfo(scene, { blenderPath: null, scratchHome: join(dir, 'home') });
    // Two agents counted at the submit, as `farmhand render` and the API count an agent still checking.
    const job = compileBlenderJob({ scenePath: scene, outputDir }, { scene: await describeFile(scene, basename(scene)), scenePath: scene, sceneInfo, agentCount: 2 });
    assert.equal(job.settings.adaptiveChunks, true);
    assert.ok(farm.controller.agents().some((a) => a.name === 'checking' && a.checking.includes('blender')), 'still checking at the submit');
    farm.controller.submit(job);
    await farm.waitFor(() => farm.controller.scheduler.job(job.id)!.record.tasks.some((t) => t.state !== 'queued'), 'the first chunk handed to the ready agent', 60_000);
    assert.ok(farm.controller.scheduler.job(job.id)!.record.tasks.some((t) => t.state === 'queued'), 'frames still queued when the second agent may finish its check');
    await writeFile(gate, '');
    const summary = await farm.controller.waitForJob(job.id);
    await starting;
    assert.equal(summary.state, 'succeeded', summary.failure ?? '');

    const record = farm.controller.scheduler.job(job.id)!.record;
    const chunks = record.tasks.filter((t) => t.spec.type === 'blender');
    const byAgent = new Map<string, number>();
    const names = new Map(farm.controller.agents().map((a) => [a.agentId, a.name]));
    for (const t of chunks) if (t.spec.type === 'blender') byAgent.set(names.get(t.agentId!)!, (byAgent.get(names.get(t.agentId!)!) ?? 0) + t.spec.frames.length);
    assert.deepEqual([...byAgent.keys()].sort(), ['checking', 'ready'], `frames per agent: ${JSON.stringify([...byAgent])}; notices: ${farm.notices.join(' | ')}`);
    // Every frame once, each chunk rendered once.
    assert.deepEqual(chunks.flatMap((t) => (t.spec.type === 'blender' ? t.spec.frames : [])), Array.from({ length: FRAMES }, (_, i) => i + 1));
    assert.deepEqual(chunks.map((t) => t.attempt), chunks.map(() => 1));
    const files = (await readdir(outputDir)).filter((f) => f.endsWith('.png'));
    assert.equal(files.length, FRAMES);
    assert.match(summary.chunkPlan ?? '', /^\d+ chunks of up to \d+ frames, sized from /);
  } finally {
    await farm.close();
  }
});
