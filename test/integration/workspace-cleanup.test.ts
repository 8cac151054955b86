import assert from 'node:assert/strict';
import { existsSync, readdirSync } from 'node:fs';
import { readdir } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { test } from 'node:test';
import { compileBlenderJob } from '../../electron/controller/jobs/blender/blender-job.js';
import { readFrameList } from '../../electron/controller/jobs/frame-list.js';
import { describeFile } from '../../node-agent/protocol/index.js';
import { startLoopbackFarm } from '../helpers/loopback-farm.js';
import { makeScratchDir } from '../helpers/scratch.js';
import { centrePixel, isMagenta, makeSolidPng, makeTexturedScene } from '../helpers/textured-scene.js';

// The agent's job workspace lives while the job's tasks run there and goes once the job has
// been idle on that agent (here 300 ms instead of 10 minutes); its cached files stay.

test('the job\'s workspace holds the scene under its real name while it renders and is removed once the job is idle', { timeout: 120_000 }, async () => {
  const { dir, cleanup } = await makeScratchDir('farmhand-workspace-cleanup');
  const farm = await startLoopbackFarm({ agents: [{ workspaceIdleMs: 300 }], persist: false });
  try {
    const project = join(dir, 'project');
    await makeSolidPng(join(project, 'textures/wood.png'), '0x20c040');
    const scenePath = await makeTexturedScene(join(project, 'shot.blend'), '//textures/wood.png', join(dir, 'home'));
    await farm.waitFor(() => farm.controller.agents().some((a) => a.online && a.taskTypes.includes('blender')), 'the agent online with Blender', 30_000);
    const texture = await describeFile(join(project, 'textures/wood.png'), 'wood.png');
    const job = compileBlenderJob({ scenePath, frames: readFrameList('1-2'), chunkSize: 1, outputDir: join(dir, 'out') }, {
      scene: await describeFile(scenePath, basename(scenePath)), scenePath, sceneInfo: null, agentCount: 1,
      manifest: { entries: [{ written: '//textures/wood.png', resolved: join(project, 'textures/wood.png'), kind: 'image', from: scenePath, size: texture.size, sha256: texture.sha256, missing: false }], totalBytes: texture.size, missingCount: 0, listedBy: 'reader' },
    });
    const workspaces = join(farm.dir, 'agent-0', 'workspaces');
    const seen = new Set<string>();
    let watching = true;
    const watch = (async () => {
      for (let i = 0; i < 20_000 && watching; i++) {
        for (const entry of await readdir(workspaces, { recursive: true }).catch(() => [])) seen.add(entry.split('/').slice(1).join('/'));
        await new Promise((r) => setTimeout(r, 5));
      }
    })();
    farm.controller.submit(job);
    const summary = await farm.controller.waitForJob(job.id);
    watching = false;
    await watch;
    assert.equal(summary.state, 'succeeded', summary.failure ?? '');
    assert.ok(seen.has('shot.blend') && seen.has('textures/wood.png'), `the workspace held ${[...seen].join(', ')}`);
    for (const frame of (await readdir(job.outputDir)).filter((f) => f.endsWith('.png'))) {
      assert.equal(isMagenta(await centrePixel(join(job.outputDir, frame))), false, `${frame} found its texture`);
    }
    await farm.waitFor(() => existsSync(workspaces) && readdirSync(workspaces).length === 0, 'the idle workspace to be removed', 5_000);
    assert.equal(existsSync(join(farm.dir, 'agent-0', 'inputs', texture.sha256)), true, 'the texture stays in the input cache');
  } finally {
    await farm.close();
    await cleanup();
  }
});
