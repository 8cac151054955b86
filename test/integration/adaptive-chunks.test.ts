import assert from 'node:assert/strict';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { after, before, test } from 'node:test';
import { compileBlenderJob } from '../../electron/controller/jobs/blender/blender-job.js';
import { readSceneInfo } from '../../electron/controller/jobs/blender/scene-probe.js';
import { PLANNING_MEMORY_FILE } from '../../electron/controller/jobs/chunk-plan/planning-memory.js';
import { describeFile } from '../../node-agent/protocol/index.js';
import { makeTestScene } from '../fixtures/test-scene.js';
import { startLoopbackFarm } from '../helpers/loopback-farm.js';

// Adaptive chunks on a real farm (issue 19): a job planned before anything is measured is
// re-planned once its first frame is, and every frame still lands exactly once, the video
// task depending on the new chunks. Real Blender and ffmpeg on a loopback agent.

let dir: string;
let scene: string;
const FRAMES = 16;

before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'fh-adaptive-chunks-'));
  scene = await makeTestScene(dir, { frames: FRAMES, width: 32, height: 18, samples: 1 });
});

after(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
});

test('a job planned with the default frame time is re-planned from its first measured frame; every frame lands once', { timeout: 240_000 }, async () => {
  const farm = await startLoopbackFarm({ agents: [{}] });
  try {
    await farm.waitFor(() => farm.controller.agents().some((a) => a.online && a.taskTypes.includes('blender')), 'the agent online with Blender', 60_000);
    const outputDir = join(dir, 'out');
    const sceneInfo = await readSceneInfo(scene, { blenderPath: null, scratchHome: join(dir, 'home') });
    // A 22-second target: with the default 10 s a frame, one frame a chunk. Measured, the frames
    // are far shorter (a few seconds at most on a loaded machine), and the chunks still queued become fewer.
    const job = compileBlenderJob(
      { scenePath: scene, outputDir, targetChunkMinutes: 0.37, video: true },
      { scene: await describeFile(scene, basename(scene)), scenePath: scene, sceneInfo, agentCount: 1 },
    );
    assert.equal(job.tasks.length, FRAMES + 1, 'one chunk per frame and the video, before any measure');
    assert.equal(job.settings.adaptiveChunks, true);
    farm.controller.submit(job);
    const summary = await farm.controller.waitForJob(job.id);
    assert.equal(summary.state, 'succeeded', summary.failure ?? '');

    const record = farm.controller.scheduler.job(job.id)!.record;
    const chunks = record.tasks.filter((t) => t.spec.type === 'blender');
    // Re-plans come as measures do: the first chunk's start-up may be measured before its frame
    // (a re-plan still on the default frame time), then the first frame; each one makes the queued chunks fewer.
    const replans = farm.notices.filter((n) => n.includes('re-planned'));
    const counts = replans.map((n) => /^Job "test-scene\.blend": re-planned (\d+) queued chunk\(s\) into (\d+) from (?:measured \d+\.\d|the default 10) s\/frame on 1 slot\(s\)\.$/.exec(n));
    assert.ok(counts.length > 0 && counts.every((m) => m && Number(m[2]) < Number(m[1]) && Number(m[1]) <= 15), farm.notices.join(' | '));
    assert.ok(replans.some((n) => / from measured \d+\.\d s\/frame /.test(n)), `a re-plan from the measured frame time: ${farm.notices.join(' | ')}`);
    assert.equal(chunks[0]!.spec.type === 'blender' && chunks[0]!.spec.frames.length, 1, 'the first chunk ran as first planned');
    assert.ok(chunks.length < FRAMES, `${chunks.length} chunks after ${replans.length} re-plan(s)`);
    // Each frame in exactly one chunk, each chunk rendered once, in order, and every task id positional.
    assert.deepEqual(chunks.flatMap((t) => (t.spec.type === 'blender' ? t.spec.frames : [])), Array.from({ length: FRAMES }, (_, i) => i + 1));
    assert.deepEqual(chunks.map((t) => [t.state, t.attempt]), chunks.map(() => ['succeeded', 1]));
    assert.deepEqual(record.tasks.map((t) => t.id), record.tasks.map((_, i) => `${job.id}.${i}`));
    const video = record.tasks.at(-1)!;
    assert.equal(video.spec.type, 'frames-video');
    assert.deepEqual(video.dependsOn, chunks.map((t) => t.id));
    assert.equal(summary.taskCount, chunks.length + 1);
    assert.equal(summary.succeededCount, chunks.length + 1);
    // The plan in the job's summary (the API, `farmhand job`, the job page).
    assert.match(summary.chunkPlan ?? '', /^\d+ chunks of up to \d+ frames, sized from measured \d+\.\d s\/frame \(re-planned (once|\d+ times)(; \d+ cut to fit the agent that took (it|them))?\)\.$/);
    // Re-plans that only resize chunks are counted on the job but not announced.
    assert.ok((record.settings.chunkPlan as { replans: number }).replans >= replans.length);
    const files = (await readdir(outputDir)).filter((f) => !f.startsWith('.')).sort();
    assert.deepEqual(files, [...Array.from({ length: FRAMES }, (_, i) => `test-scene_${String(i + 1).padStart(4, '0')}.png`), 'test-scene.mp4'].sort());
    assert.ok((await readFile(join(outputDir, 'test-scene.mp4'))).length > 1000, 'the video has the frames');
    // What was measured is kept for the next job: the agent's Blender start-up and the scene's frame time.
    await farm.controller.close().catch(() => undefined);
    const memory = JSON.parse(await readFile(join(farm.dir, 'controller', PLANNING_MEMORY_FILE), 'utf8')) as { startups: Record<string, { ms: number }>; scenes: Record<string, { frameMs: number }> };
    const startups = Object.entries(memory.startups);
    assert.equal(startups.length, 1);
    assert.match(startups[0]![0], /^[^|]+\|\d+\.\d+(\.\d+)?$/, 'kept per agent and Blender version');
    assert.ok(startups[0]![1].ms > 0 && startups[0]![1].ms < 60_000, `start-up ${startups[0]![1].ms} ms`);
    const sceneEntry = memory.scenes[job.inputFiles[0]!.sha256];
    assert.ok(sceneEntry && sceneEntry.frameMs > 0 && sceneEntry.frameMs < 10_000, JSON.stringify(memory.scenes));
  } finally {
    await farm.close();
  }
});
