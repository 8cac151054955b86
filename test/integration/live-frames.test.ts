import assert from 'node:assert/strict';
import { readdir, readFile, rm, mkdtemp } from 'node:fs/promises';
import { createHash } from 'node:crypto';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { after, before, test } from 'node:test';
import { compileBlenderJob } from '../../electron/controller/jobs/blender/blender-job.js';
import { readFrameList } from '../../electron/controller/jobs/frame-list.js';
import { describeFile } from '../../node-agent/protocol/index.js';
import { makeTestScene } from '../fixtures/test-scene.js';
import { startLoopbackFarm } from '../helpers/loopback-farm.js';

// A render's frames come back as Blender saves them (task.assign's liveOutputs), not all at the
// end of the chunk: the wrangler sees them during the render, and the task's end fetches only
// what is not there yet. Judged with real Blender on a loopback agent.

let dir: string;
let scene: string;

before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'fh-live-frames-'));
  scene = await makeTestScene(dir, { frames: 5, width: 48, height: 27, samples: 8 });
});

after(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
});

test('frames of a running chunk arrive while it renders; the job ends with each frame once, identical to the agent\'s', async () => {
  const farm = await startLoopbackFarm({ agents: [{}] });
  try {
    await farm.waitFor(() => farm.controller.agents().some((a) => a.online), 'the agent online');
    const outputDir = join(dir, 'out');
    const job = compileBlenderJob(
      { scenePath: scene, frames: readFrameList('1-5'), chunkSize: 5, outputDir },
      { scene: await describeFile(scene, basename(scene)), scenePath: scene, sceneInfo: null, agentCount: 1 },
    );
    // What the controller had collected of the one task whenever it changed while still running.
    const seenWhileRunning: number[] = [];
    farm.controller.events.on('task', (task) => {
      if (task.jobId === job.id && task.state === 'running') seenWhileRunning.push(task.collected.length);
    });
    farm.controller.submit(job);
    const summary = await farm.controller.waitForJob(job.id);
    assert.equal(summary.state, 'succeeded', summary.failure ?? '');

    const most = Math.max(0, ...seenWhileRunning);
    assert.ok(most >= 4, `frames collected while the chunk was still rendering: at most ${most} of 5 (${seenWhileRunning.join(',')})`);
    const task = job.tasks[0]!;
    assert.equal(task.attempt, 1);
    assert.deepEqual([...task.collected].sort(), task.outputs.map((o) => o.name).sort());
    const files = (await readdir(outputDir)).sort();
    assert.deepEqual(files, ['test-scene_0001.png', 'test-scene_0002.png', 'test-scene_0003.png', 'test-scene_0004.png', 'test-scene_0005.png']);
    // Each file is the one the agent announced at the task's end (same hash): nothing half-written or stale.
    for (const output of task.outputs) {
      const sha256 = createHash('sha256').update(await readFile(join(outputDir, output.name))).digest('hex');
      assert.equal(sha256, output.sha256, output.name);
    }
  } finally {
    await farm.close();
  }
});
