import assert from 'node:assert/strict';
import { readdir } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { after, before, test } from 'node:test';
import { AgentSettings } from '../../electron/controller/agents/agent-settings.js';
import { createFarmService } from '../../electron/controller/api/farm-service.js';
import { createController, type Controller } from '../../electron/controller/create-controller.js';
import { compileBlenderJob } from '../../electron/controller/jobs/blender/blender-job.js';
import { findBlender } from '../../electron/controller/jobs/blender/find-blender.js';
import { readFrameList } from '../../electron/controller/jobs/frame-list.js';
import { describeFile, generateFarmKey } from '../../node-agent/protocol/index.js';
import { makeDependencyScenes, type DependencyScenes } from '../fixtures/dependency-scenes.js';
import { hiddenSourceAvailable, startHiddenSourceAgent } from '../helpers/hidden-source-agent.js';
import { startLoopbackFarm } from '../helpers/loopback-farm.js';
import { renderReference, type ReferenceRender } from '../helpers/reference-render.js';
import { renderDifferences } from '../helpers/same-render.js';
import { makeScratchDir } from '../helpers/scratch.js';

/**
 * Issue 16, "every output comes back": the File Output scene (two view layers, each written by
 * a compositor File Output node to `//passes/`) rendered through the farm, one frame per task.
 * The agent's Python step points the node at the task's output folder, the agent hands the
 * passes back with the frames under their relative names, and the controller puts them in the
 * job's output folder (`passes/fg_0001.png` …) and lists them among the task's outputs; their
 * decoded pixels equal a direct `blender -b` render's. Rendered by a loopback agent, by the
 * embedded local agent (files handed over on disk), and by an agent that cannot see the scene's
 * folder (its own mount namespace).
 */

const FRAMES = [1, 2];
const PASSES = ['bg_0001.png', 'bg_0002.png', 'fg_0001.png', 'fg_0002.png'];
let scratch: { dir: string; cleanup: () => Promise<void> };
let scenes: DependencyScenes;
let reference: ReferenceRender;

before(async () => {
  if (!findBlender()) throw new Error('Blender is not installed: apt-get install -y blender');
  scratch = await makeScratchDir('fh-file-output-farm');
  scenes = await makeDependencyScenes(join(scratch.dir, 'scenes'));
  reference = await renderReference(scenes.scenes['file-output'].blend, join(scratch.dir, 'reference'), FRAMES);
  assert.deepEqual(reference.passes.map((p) => basename(p)), PASSES, reference.log.slice(-2000));
});

after(async () => {
  await scratch?.cleanup();
});

async function renderAndCompare(controller: Controller, name: string, log: () => string): Promise<void> {
  const service = createFarmService(controller, { outputRoot: join(scratch.dir, 'out'), home: join(scratch.dir, `home-${name}`), agentSettings: await AgentSettings.open(null) });
  const scene = scenes.scenes['file-output'];
  const job = compileBlenderJob(
    { scenePath: scene.blend, frames: readFrameList(FRAMES.join(',')), chunkSize: 1, outputDir: join(scratch.dir, 'out', name), format: 'PNG', maxAttempts: 1 },
    { scene: await describeFile(scene.blend, basename(scene.blend)), scenePath: scene.blend, sceneInfo: null, agentCount: 1 },
  );
  controller.submit(job);
  const summary = await controller.waitForJob(job.id);
  assert.equal(summary.state, 'succeeded', `${summary.failure ?? ''} ${job.tasks.map((t) => t.error ?? '').join(' ')}\n${log().slice(-3000)}`);

  const files = (await readdir(job.outputDir, { recursive: true })).map(String).filter((f) => f.endsWith('.png')).sort();
  assert.deepEqual(files, [...PASSES.map((p) => `passes/${p}`), 'shot_0001.png', 'shot_0002.png']);
  const tasks = await service.api['tasks.list']({ jobId: job.id, offset: 0, limit: 10 });
  assert.deepEqual(tasks.items.map((t) => [...t.outputs].sort()), FRAMES.map((f) => [`passes/bg_000${f}.png`, `passes/fg_000${f}.png`, `shot_000${f}.png`]));
  assert.deepEqual(await renderDifferences(job.outputDir, reference, { prefix: 'shot', frames: FRAMES }), []);
}

test('a loopback agent: the frames and both passes of every frame arrive, are listed, and equal a direct render', { timeout: 300_000 }, async () => {
  const farm = await startLoopbackFarm({ agents: [{ blenderPath: findBlender()! }], persist: false });
  try {
    await farm.waitFor(() => farm.controller.agents().some((a) => a.online && a.taskTypes.includes('blender')), 'the agent online with Blender', 60_000);
    await renderAndCompare(farm.controller, 'loopback', () => farm.notices.join('\n'));
  } finally {
    await farm.close();
  }
});

test('the embedded local agent: the same, its passes taken from its hold on disk', { timeout: 300_000 }, async () => {
  const farm = await startLoopbackFarm({ agents: [], localAgent: { blenderPath: findBlender()! }, persist: false });
  try {
    await farm.waitFor(() => farm.controller.agents().some((a) => a.online && a.taskTypes.includes('blender')), 'the local agent online with Blender', 60_000);
    await renderAndCompare(farm.controller, 'local', () => farm.notices.join('\n'));
  } finally {
    await farm.close();
  }
});

test('an agent that cannot see the scene\'s folder: the same', { timeout: 300_000 }, async () => {
  assert.ok(hiddenSourceAvailable(), 'this test needs root and unshare (util-linux) for its mount namespace');
  const farmKey = generateFarmKey();
  const agent = await startHiddenSourceAgent({ hide: [scenes.root], farmKey, dir: join(scratch.dir, 'hidden-agent') });
  let controller: Controller | null = null;
  try {
    controller = await createController({ home: join(scratch.dir, 'hidden-controller'), farmKey, controllerId: 'file-output-test', discovery: false, agentUrls: [agent.url], persist: false });
    const deadline = Date.now() + 60_000;
    while (!controller.agents().some((a) => a.online && a.taskTypes.includes('blender'))) {
      if (Date.now() > deadline) throw new Error(`the agent did not come online with Blender:\n${agent.proc.text()}`);
      await new Promise((r) => setTimeout(r, 50));
    }
    await renderAndCompare(controller, 'hidden', () => agent.proc.text());
  } finally {
    await controller?.close();
    await agent.stop();
  }
});
