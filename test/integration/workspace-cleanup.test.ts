import assert from 'node:assert/strict';
import { existsSync, readdirSync } from 'node:fs';
import { readdir } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { test } from 'node:test';
import { compileBlenderJob } from '../../electron/controller/jobs/blender/blender-job.js';
import { readFrameList } from '../../electron/controller/jobs/frame-list.js';
import type { JobRecord } from '../../electron/controller/model/job-model.js';
import { describeFile } from '../../node-agent/protocol/index.js';
import { startLoopbackFarm, type LoopbackFarm } from '../helpers/loopback-farm.js';
import { makeScratchDir } from '../helpers/scratch.js';
import { centrePixel, isMagenta, makeSolidPng, makeTexturedScene } from '../helpers/textured-scene.js';

// The agent's job workspace lives while the job's tasks run there and goes as soon as the job
// ends (protocol 4's job.ended): done or canceled, it is gone within seconds although the
// agent's idle fallback is its default 10 minutes. Its cached files stay.

async function texturedJob(dir: string, frames: string): Promise<{ job: JobRecord; textureSha: string }> {
  const project = join(dir, 'project');
  await makeSolidPng(join(project, 'textures/wood.png'), '0x20c040');
  const scenePath = await makeTexturedScene(join(project, 'shot.blend'), '//textures/wood.png', join(dir, 'home'));
  const texture = await describeFile(join(project, 'textures/wood.png'), 'wood.png');
  const job = compileBlenderJob({ scenePath, frames: readFrameList(frames), chunkSize: 1, outputDir: join(dir, 'out') }, {
    scene: await describeFile(scenePath, basename(scenePath)), scenePath, sceneInfo: null, agentCount: 1,
    manifest: { entries: [{ written: '//textures/wood.png', resolved: join(project, 'textures/wood.png'), kind: 'image', from: scenePath, size: texture.size, sha256: texture.sha256, missing: false }], totalBytes: texture.size, missingCount: 0, listedBy: 'reader' },
  });
  return { job, textureSha: texture.sha256 };
}

/** Every path seen under the agent's workspaces while `until` runs, relative to the job's workspace. */
async function watchWorkspaces<T>(workspaces: string, until: Promise<T>): Promise<{ result: T; seen: Set<string> }> {
  const seen = new Set<string>();
  let watching = true;
  const watch = (async () => {
    for (let i = 0; i < 20_000 && watching; i++) {
      for (const entry of await readdir(workspaces, { recursive: true }).catch(() => [])) seen.add(entry.split('/').slice(1).join('/'));
      await new Promise((r) => setTimeout(r, 5));
    }
  })();
  try {
    return { result: await until, seen };
  } finally {
    watching = false;
    await watch;
  }
}

const emptied = (farm: LoopbackFarm, workspaces: string) =>
  farm.waitFor(() => existsSync(workspaces) && readdirSync(workspaces).length === 0, 'the ended job\'s workspace to be removed', 5_000);

test('the job\'s workspace holds the scene under its real name while it renders and is removed as soon as the job is done', { timeout: 120_000 }, async () => {
  const { dir, cleanup } = await makeScratchDir('farmhand-workspace-cleanup');
  const farm = await startLoopbackFarm({ persist: false }); // the agent's idle fallback: 10 minutes
  try {
    const { job, textureSha } = await texturedJob(dir, '1-2');
    await farm.waitFor(() => farm.controller.agents().some((a) => a.online && a.taskTypes.includes('blender')), 'the agent online with Blender', 30_000);
    const workspaces = join(farm.dir, 'agent-0', 'workspaces');
    farm.controller.submit(job);
    const { result: summary, seen } = await watchWorkspaces(workspaces, farm.controller.waitForJob(job.id));
    assert.equal(summary.state, 'succeeded', summary.failure ?? '');
    assert.ok(seen.has('shot.blend') && seen.has('textures/wood.png'), `the workspace held ${[...seen].join(', ')}`);
    for (const frame of (await readdir(job.outputDir)).filter((f) => f.endsWith('.png'))) {
      assert.equal(isMagenta(await centrePixel(join(job.outputDir, frame))), false, `${frame} found its texture`);
    }
    await emptied(farm, workspaces);
    assert.equal(existsSync(join(farm.dir, 'agent-0', 'inputs', textureSha)), true, 'the texture stays in the input cache');
  } finally {
    await farm.close();
    await cleanup();
  }
});

test('a canceled job\'s workspace is removed once its running task has stopped', { timeout: 120_000 }, async () => {
  const { dir, cleanup } = await makeScratchDir('farmhand-workspace-cancel');
  const farm = await startLoopbackFarm({ persist: false });
  try {
    const { job } = await texturedJob(dir, '1-40');
    await farm.waitFor(() => farm.controller.agents().some((a) => a.online && a.taskTypes.includes('blender')), 'the agent online with Blender', 30_000);
    const workspaces = join(farm.dir, 'agent-0', 'workspaces');
    farm.controller.submit(job);
    await farm.waitFor(() => readdirSync(workspaces, { recursive: true }).some((e) => String(e).endsWith('textures/wood.png')), 'the workspace to be built', 60_000);
    farm.controller.scheduler.jobControls.cancelJob(job.id);
    const summary = await farm.controller.waitForJob(job.id);
    assert.equal(summary.state, 'canceled');
    await emptied(farm, workspaces);
  } finally {
    await farm.close();
    await cleanup();
  }
});
