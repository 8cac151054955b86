import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { readdir } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, before, test } from 'node:test';
import type { AgentLink } from '../../electron/controller/agents/agent-link.js';
import type { DependencyEntry, DependencyManifest } from '../../electron/controller/api/views.js';
import { createController, type Controller } from '../../electron/controller/create-controller.js';
import { compileBlenderJob } from '../../electron/controller/jobs/blender/blender-job.js';
import { findBlender } from '../../electron/controller/jobs/blender/find-blender.js';
import { readFrameList } from '../../electron/controller/jobs/frame-list.js';
import { describeFile, generateFarmKey } from '../../node-agent/protocol/index.js';
import { Proc } from '../helpers/proc.js';
import { makeScratchDir } from '../helpers/scratch.js';
import { centrePixel, isMagenta, makeSolidPng, makeTexturedScene } from '../helpers/textured-scene.js';

/**
 * A scene with a relative texture (`//textures/wood.png`) renders that texture through the farm:
 * the compiler ships the texture by hash, and an agent process with its own data dir (it is told
 * nothing of the project folder) lays the scene out in the job's workspace under its real name.
 * A second job naming the same texture sends none of its bytes again.
 */

const repo = fileURLToPath(new URL('../..', import.meta.url));
let scratch: { dir: string; cleanup: () => Promise<void> };
let agent: Proc;
let controller: Controller;
const sent: { sha256: string; size: number }[] = [];

before(async () => {
  const blender = findBlender();
  if (!blender) throw new Error('Blender is not installed: apt-get install -y blender');
  scratch = await makeScratchDir('farmhand-workspace-render');
  const home = join(scratch.dir, 'home');
  const project = join(scratch.dir, 'project');
  await makeSolidPng(join(project, 'textures/wood.png'), '0x20c040');
  await makeTexturedScene(join(project, 'shot010.blend'), '//textures/wood.png', home);
  await makeTexturedScene(join(project, 'shot020.blend'), '//textures/wood.png', home);

  const farmKey = generateFarmKey();
  const child = spawn(process.execPath, ['--import', 'tsx', join(repo, 'node-agent/cli.ts'),
    '--host', '127.0.0.1', '--port', '0', '--no-mdns', '--data-dir', join(scratch.dir, 'agent-data'), '--farm-key', farmKey, '--blender', blender], {
    cwd: repo,
    env: { ...process.env, HOME: join(scratch.dir, 'agent-home'), XDG_CACHE_HOME: join(scratch.dir, 'agent-home/.cache') },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  agent = new Proc(child);
  const listening = await agent.waitFor(/listening on 127\.0\.0\.1:\d+/, 30_000);
  const port = /127\.0\.0\.1:(\d+)/.exec(listening.text)![1];
  controller = await createController({
    home: join(scratch.dir, 'controller'), farmKey, controllerId: 'workspace-test', discovery: false, agentUrls: [`wss://127.0.0.1:${port}`], persist: false,
  });
  const deadline = Date.now() + 30_000;
  while (!controller.agents().some((a) => a.online && a.taskTypes.includes('blender'))) {
    if (Date.now() > deadline) throw new Error(`the agent did not come online with Blender:\n${agent.text()}`);
    await new Promise((r) => setTimeout(r, 50));
  }
  // Every input file the controller streams to the agent, by hash.
  for (const link of controller.pool.all() as AgentLink[]) {
    const sendFile = link.sendFile.bind(link);
    link.sendFile = (path, file) => {
      sent.push({ sha256: file.sha256, size: file.size });
      return sendFile(path, file);
    };
  }
});

after(async () => {
  await controller?.close();
  if (agent && agent.child.exitCode === null) {
    agent.child.kill('SIGTERM');
    await Promise.race([agent.exited, new Promise((r) => setTimeout(r, 5000))]);
  }
  await scratch?.cleanup();
});

/** The manifest the reader gives for these scenes (written by hand: the reader is tested on its own). */
async function manifestFor(scenePath: string): Promise<DependencyManifest> {
  const texture = join(scratch.dir, 'project/textures/wood.png');
  const ref = await describeFile(texture, 'wood.png');
  const entry: DependencyEntry = { written: '//textures/wood.png', resolved: texture, kind: 'image', from: scenePath, size: ref.size, sha256: ref.sha256, missing: false };
  return { entries: [entry], totalBytes: ref.size, missingCount: 0, listedBy: 'reader' };
}

async function render(name: string) {
  const scenePath = join(scratch.dir, 'project', name);
  const manifest = await manifestFor(scenePath);
  const job = compileBlenderJob({ scenePath, frames: readFrameList('1'), outputDir: join(scratch.dir, 'out', name) }, {
    scene: await describeFile(scenePath, basename(scenePath)), scenePath, sceneInfo: null, agentCount: 1, manifest,
  });
  controller.submit(job);
  const summary = await controller.waitForJob(job.id);
  assert.equal(summary.state, 'succeeded', `${summary.failure ?? ''}\n${agent.text().slice(-2000)}`);
  const frames = (await readdir(job.outputDir, { recursive: true })).filter((f) => f.endsWith('.png'));
  assert.equal(frames.length, 1, frames.join(', '));
  return { job, frame: join(job.outputDir, frames[0]!), texture: manifest.entries[0]! };
}

test('a relative texture shipped by the compiler renders (not magenta), and a second job sharing it sends 0 bytes of it', { timeout: 120_000 }, async () => {
  const first = await render('shot010.blend');
  const spec = first.job.tasks[0]!.spec;
  assert.ok(spec.type === 'blender' && spec.scenePath === 'shot010.blend', 'the scene keeps its real name');
  const pixel = await centrePixel(first.frame);
  assert.equal(isMagenta(pixel), false, `magenta: the texture was not found (${pixel})`);
  assert.ok(Math.abs(pixel[0] - 0x20) <= 3 && Math.abs(pixel[1] - 0xc0) <= 3 && Math.abs(pixel[2] - 0x40) <= 3, `the texture's green, got ${pixel}`);
  const textureSha = first.texture.sha256!;
  assert.deepEqual(sent.filter((s) => s.sha256 === textureSha), [{ sha256: textureSha, size: first.texture.size! }], 'the texture was sent once');

  const before = sent.length;
  const second = await render('shot020.blend');
  assert.equal(isMagenta(await centrePixel(second.frame)), false, 'the second job renders the texture too');
  const textureBytes = sent.slice(before).filter((s) => s.sha256 === textureSha).reduce((n, s) => n + s.size, 0);
  assert.equal(textureBytes, 0, 'the second job sent none of the texture\'s bytes');
  assert.ok(sent.slice(before).some((s) => s.sha256 !== textureSha), 'its own scene was sent (the counter sees transfers)');
});
