import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { readdir } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { after, before, test } from 'node:test';
import { promisify } from 'node:util';
import { compileBlenderJob } from '../../electron/controller/jobs/blender/blender-job.js';
import { findBlender } from '../../electron/controller/jobs/blender/find-blender.js';
import { readSceneInfo } from '../../electron/controller/jobs/blender/scene-probe.js';
import { readFrameList } from '../../electron/controller/jobs/frame-list.js';
import { framesCollected } from '../../electron/farm/run-to-end.js';
import { describeFile } from '../../node-agent/protocol/index.js';
import { startLoopbackFarm, type LoopbackFarm } from '../helpers/loopback-farm.js';
import { makeScratchDir } from '../helpers/scratch.js';
import { makeViewsScene, renderDirect } from '../helpers/views-scenes.js';

/**
 * Issue 16, "every output comes back", view layers: Blender 3.4.1 saves only the first
 * renderable view layer's image when the compositor is off. The agent's Python step turns the
 * compositor on with that layer wired to the Composite node and a File Output node per other
 * layer into `passes/<layer>/`. The main frame must stay the very frame a plain `blender -b`
 * render saves (RGBA decoded equal), and the other layer's image must equal a direct render of
 * that layer alone (made the only renderable one).
 */

const FRAMES = [1, 2];
const run = promisify(execFile);
let scratch: { dir: string; cleanup: () => Promise<void> };
let farm: LoopbackFarm;
let home: string;

before(async () => {
  if (!findBlender()) throw new Error('Blender is not installed: apt-get install -y blender');
  scratch = await makeScratchDir('fh-view-layers');
  home = join(scratch.dir, 'home');
  farm = await startLoopbackFarm({ agents: [{ blenderPath: findBlender()! }], persist: false });
  await farm.waitFor(() => farm.controller.agents().some((a) => a.online && a.taskTypes.includes('blender')), 'the agent online with Blender', 60_000);
});

after(async () => {
  await farm?.close();
  await scratch?.cleanup();
});

/** Every pixel's R, G, B and A as ffmpeg decodes them: equal bytes mean the same image, alpha included. */
async function rgba(file: string): Promise<Buffer> {
  const { stdout } = await run(process.env.FARMHAND_FFMPEG || 'ffmpeg', ['-v', 'error', '-i', file, '-f', 'rawvideo', '-pix_fmt', 'rgba', '-'], { encoding: 'buffer', maxBuffer: 64 * 1024 * 1024 });
  return stdout;
}

test('two view layers, compositor off: the main frame equals a plain blender -b render and the other layer comes back under passes/, equal to a render of it alone', { timeout: 300_000 }, async () => {
  const scene = await makeViewsScene(join(scratch.dir, 'scenes'), 'layers', home);
  const plain = join(scratch.dir, 'plain');
  const alone = join(scratch.dir, 'alone');
  assert.deepEqual(await renderDirect(scene, plain, FRAMES, { home }), ['frame_0001.png', 'frame_0002.png']);
  const onlyExtra = 'import bpy\nfor v in bpy.context.scene.view_layers: v.use = (v.name == "Extra Layer")';
  assert.deepEqual(await renderDirect(scene, alone, FRAMES, { home, python: onlyExtra }), ['frame_0001.png', 'frame_0002.png']);
  // The two layers differ, so a mix-up would show.
  assert.notDeepEqual(await rgba(join(plain, 'frame_0001.png')), await rgba(join(alone, 'frame_0001.png')));

  const sceneInfo = await readSceneInfo(scene, { blenderPath: null, scratchHome: home });
  const job = compileBlenderJob(
    { scenePath: scene, frames: readFrameList(FRAMES.join(',')), chunkSize: 1, outputDir: join(scratch.dir, 'out'), format: 'PNG', maxAttempts: 1 },
    { scene: await describeFile(scene, basename(scene)), scenePath: scene, sceneInfo, agentCount: 1 },
  );
  farm.controller.submit(job);
  const summary = await farm.controller.waitForJob(job.id);
  assert.equal(summary.state, 'succeeded', `${summary.failure ?? ''} ${job.tasks.map((t) => t.error ?? '').join(' ')}\n${farm.notices.join('\n')}`);

  const files = (await readdir(job.outputDir, { recursive: true })).map(String).filter((f) => f.endsWith('.png')).sort();
  assert.deepEqual(files, ['layers_0001.png', 'layers_0002.png', 'passes/Extra_Layer/layers_0001.png', 'passes/Extra_Layer/layers_0002.png']);
  for (const frame of FRAMES) {
    const n = String(frame).padStart(4, '0');
    assert.ok((await rgba(join(job.outputDir, `layers_${n}.png`))).equals(await rgba(join(plain, `frame_${n}.png`))), `main frame ${frame} differs from a plain render`);
    assert.ok((await rgba(join(job.outputDir, `passes/Extra_Layer/layers_${n}.png`))).equals(await rgba(join(alone, `frame_${n}.png`))), `Extra Layer's frame ${frame} differs from a render of it alone`);
  }
  assert.deepEqual(job.tasks.map((t) => [...t.collected].sort()), FRAMES.map((f) => [`layers_000${f}.png`, `passes/Extra_Layer/layers_000${f}.png`]));
  assert.deepEqual(job.tasks.flatMap(framesCollected), ['layers_0001.png', 'layers_0002.png']);
});
