import assert from 'node:assert/strict';
import { readdir } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { after, before, test } from 'node:test';
import { AgentSettings } from '../../electron/controller/agents/agent-settings.js';
import { createFarmService } from '../../electron/controller/api/farm-service.js';
import { compileBlenderJob } from '../../electron/controller/jobs/blender/blender-job.js';
import { findBlender } from '../../electron/controller/jobs/blender/find-blender.js';
import { readFrameList } from '../../electron/controller/jobs/frame-list.js';
import { describeFile } from '../../node-agent/protocol/index.js';
import { makeDependencyScenes, type DependencyScenes } from '../fixtures/dependency-scenes.js';
import { startLoopbackFarm } from '../helpers/loopback-farm.js';
import { renderReference } from '../helpers/reference-render.js';
import { renderDifferences } from '../helpers/same-render.js';
import { makeScratchDir } from '../helpers/scratch.js';

/**
 * Issue 16, "every output comes back": the File Output scene (two view layers, each written by
 * a compositor File Output node to `//passes/`) rendered through a loopback farm, one frame per
 * task. The agent's Python step points the node at the task's output folder, the agent hands
 * the passes back with the frames under their relative names, and the controller puts them in
 * the job's output folder (`passes/fg_0001.png` …), lists them among the task's outputs, and
 * their decoded pixels equal a direct `blender -b` render's.
 */

const FRAMES = [1, 2];
let scratch: { dir: string; cleanup: () => Promise<void> };
let scenes: DependencyScenes;

before(async () => {
  if (!findBlender()) throw new Error('Blender is not installed: apt-get install -y blender');
  scratch = await makeScratchDir('fh-file-output-farm');
  scenes = await makeDependencyScenes(join(scratch.dir, 'scenes'));
});

after(async () => {
  await scratch?.cleanup();
});

test('the frames and both File Output passes of every frame arrive in the job\'s output folder, listed, and equal a direct render', { timeout: 300_000 }, async () => {
  const farm = await startLoopbackFarm({ agents: [{ blenderPath: findBlender()! }], persist: false });
  try {
    await farm.waitFor(() => farm.controller.agents().some((a) => a.online && a.taskTypes.includes('blender')), 'the agent online with Blender', 60_000);
    const service = createFarmService(farm.controller, { outputRoot: join(scratch.dir, 'out'), home: farm.dir, agentSettings: await AgentSettings.open(null) });
    const scene = scenes.scenes['file-output'];
    const job = compileBlenderJob(
      { scenePath: scene.blend, frames: readFrameList(FRAMES.join(',')), chunkSize: 1, outputDir: join(scratch.dir, 'out', 'file-output'), format: 'PNG', maxAttempts: 1 },
      { scene: await describeFile(scene.blend, basename(scene.blend)), scenePath: scene.blend, sceneInfo: null, agentCount: 1 },
    );
    farm.controller.submit(job);
    const summary = await farm.controller.waitForJob(job.id);
    assert.equal(summary.state, 'succeeded', `${summary.failure ?? ''} ${job.tasks.map((t) => t.error ?? '').join(' ')}\n${farm.notices.join('\n')}`);

    const passes = ['bg_0001.png', 'bg_0002.png', 'fg_0001.png', 'fg_0002.png'];
    const files = (await readdir(job.outputDir, { recursive: true })).map(String).filter((f) => f.endsWith('.png')).sort();
    assert.deepEqual(files, [...passes.map((p) => `passes/${p}`), 'shot_0001.png', 'shot_0002.png']);
    const tasks = await service.api['tasks.list']({ jobId: job.id, offset: 0, limit: 10 });
    assert.deepEqual(tasks.items.map((t) => [...t.outputs].sort()), FRAMES.map((f) => [`passes/bg_000${f}.png`, `passes/fg_000${f}.png`, `shot_000${f}.png`]));

    const reference = await renderReference(scene.blend, join(scratch.dir, 'reference'), FRAMES);
    assert.deepEqual(reference.passes.map((p) => basename(p)), passes, reference.log.slice(-2000));
    assert.deepEqual(await renderDifferences(job.outputDir, reference, { prefix: 'shot', frames: FRAMES }), []);
  } finally {
    await farm.close();
  }
});
