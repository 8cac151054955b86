import assert from 'node:assert/strict';
import { readdir } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { AgentLink } from '../../electron/controller/agents/agent-link.js';
import { createController, type Controller } from '../../electron/controller/create-controller.js';
import { compileBlenderJob } from '../../electron/controller/jobs/blender/blender-job.js';
import { scanSceneDependencies } from '../../electron/controller/jobs/blender/dependency-manifest.js';
import { readFrameList } from '../../electron/controller/jobs/frame-list.js';
import { describeFile, generateFarmKey } from '../../node-agent/protocol/index.js';
import { startLoopbackFarm } from '../helpers/loopback-farm.js';
import { makeDependencyScenes, WINDOWS_TEXTURE_PATH, type DependencySceneName, type DependencyScenes } from '../fixtures/dependency-scenes.js';
import { hiddenSourceAvailable, startHiddenSourceAgent, type HiddenSourceAgent } from '../helpers/hidden-source-agent.js';
import { comparePixels, magentaShare } from '../helpers/pixel-diff.js';
import { renderReference } from '../helpers/reference-render.js';
import { makeScratchDir } from '../helpers/scratch.js';

// Issue 16's scenes rendered through the farm by an agent that cannot see their folder (its own
// mount namespace hides it): the controller reads each scene's manifest, the compiler ships every
// file by hash into the job's workspace, and each frame's decoded pixels equal a direct
// `blender -b` render made where every file is present. The same holds on one machine, where the
// controller's embedded agent takes every file as a hard link (nothing streamed).

const FRAMES = [1, 2, 3];
const SCENES: DependencySceneName[] = ['control', 'relative-texture', 'absolute-texture', 'windows-path', 'image-sequence', 'linked-library', 'mesh-cache', 'point-cache'];

describe('scenes shipped to an agent that cannot see them', { timeout: 300_000 }, () => {
  let scratch: { dir: string; cleanup: () => Promise<void> };
  let set: DependencyScenes;
  let agent: HiddenSourceAgent;
  let controller: Controller;

  before(async () => {
    assert.ok(hiddenSourceAvailable(), 'this test needs root and unshare (util-linux) for its mount namespace');
    scratch = await makeScratchDir('fh-shipped');
    set = await makeDependencyScenes(join(scratch.dir, 'root'));
    const farmKey = generateFarmKey();
    agent = await startHiddenSourceAgent({ hide: [set.root], farmKey, dir: join(scratch.dir, 'agent') });
    controller = await createController({ home: join(scratch.dir, 'controller'), farmKey, controllerId: 'shipped-test', discovery: false, agentUrls: [agent.url], persist: false });
    const deadline = Date.now() + 60_000;
    while (!controller.agents().some((a) => a.online && a.taskTypes.includes('blender'))) {
      if (Date.now() > deadline) throw new Error(`the agent did not come online with Blender:\n${agent.proc.text()}`);
      await new Promise((r) => setTimeout(r, 50));
    }
  });

  after(async () => {
    await controller?.close();
    await agent?.stop();
    await scratch?.cleanup();
  });

  for (const name of SCENES) {
    test(`${name}: every frame equals the direct render`, async () => {
      await renderAndCompare(set, name, controller, join(scratch.dir, 'hidden'), () => agent.proc.text());
    });
  }
});

describe('the same scenes on one machine (the embedded local agent)', { timeout: 300_000 }, () => {
  let scratch: { dir: string; cleanup: () => Promise<void> };
  let set: DependencyScenes;
  let farm: Awaited<ReturnType<typeof startLoopbackFarm>>;
  let streamed = 0;

  before(async () => {
    scratch = await makeScratchDir('fh-shipped-local');
    set = await makeDependencyScenes(join(scratch.dir, 'root'));
    farm = await startLoopbackFarm({ agents: [], localAgent: {}, persist: false });
    await farm.waitFor(() => farm.controller.agents().some((a) => a.online && a.taskTypes.includes('blender')), 'the local agent online with Blender', 60_000);
    for (const link of farm.controller.pool.all() as AgentLink[]) {
      const sendFile = link.sendFile.bind(link);
      link.sendFile = (path, file) => {
        streamed += file.size;
        return sendFile(path, file);
      };
    }
  });

  after(async () => {
    await farm?.close();
    await scratch?.cleanup();
  });

  for (const name of SCENES) {
    test(`${name}: every frame equals the direct render`, async () => {
      await renderAndCompare(set, name, farm.controller, join(scratch.dir, 'local'), () => farm.notices.join('\n'));
    });
  }

  test('no file was streamed: the local agent took each one on disk', () => {
    assert.equal(streamed, 0);
  });
});

/** Reads the scene's manifest, renders it through `controller`, and compares every frame with a direct render. */
async function renderAndCompare(set: DependencyScenes, name: DependencySceneName, controller: Controller, dir: string, log: () => string): Promise<void> {
  const scene = set.scenes[name];
  const pathMap = name === 'windows-path' ? [{ from: dirname(WINDOWS_TEXTURE_PATH.replace(/\\/g, '/')).replace(/\//g, '\\'), to: dirname(set.absoluteTexture) }] : [];
  const manifest = await scanSceneDependencies(scene.blend, { home: join(dir, 'controller'), pathMap });
  assert.equal(manifest.missingCount, 0, JSON.stringify(manifest.entries.filter((e) => e.missing)));
  const job = compileBlenderJob({ scenePath: scene.blend, frames: readFrameList(FRAMES.join(',')), chunkSize: FRAMES.length, outputDir: join(dir, 'out', name), format: 'PNG' }, {
    scene: await describeFile(scene.blend, basename(scene.blend)), scenePath: scene.blend, sceneInfo: null, agentCount: 1, manifest,
  });
  controller.submit(job);
  const summary = await controller.waitForJob(job.id);
  assert.equal(summary.state, 'succeeded', `${summary.failure ?? ''}\n${log().slice(-3000)}`);
  const frames = (await readdir(job.outputDir, { recursive: true })).filter((f) => f.endsWith('.png')).sort();
  assert.equal(frames.length, FRAMES.length, frames.join(', '));
  // Windows paths do not open on Linux: the direct render maps it the way the agent does.
  const python = name === 'windows-path'
    ? `import bpy\nfor im in bpy.data.images:\n    if im.filepath.startswith("C:"): im.filepath = ${JSON.stringify(set.absoluteTexture)}`
    : undefined;
  const reference = await renderReference(scene.blend, join(dir, 'ref', name), FRAMES, python ? { python } : {});
  for (const [i, frame] of frames.entries()) {
    const diff = await comparePixels(join(job.outputDir, frame), reference.frames[i]!);
    assert.equal(diff.maxChannelDiff, 0, `${name} ${frame} differs from the direct render on ${(diff.differingShare * 100).toFixed(1)} % of pixels`);
    assert.equal(await magentaShare(join(job.outputDir, frame)), 0, `${name} ${frame} shows magenta`);
  }
}
