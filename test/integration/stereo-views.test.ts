import assert from 'node:assert/strict';
import { readdir } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { after, before, test } from 'node:test';
import { compileBlenderJob } from '../../electron/controller/jobs/blender/blender-job.js';
import { findBlender } from '../../electron/controller/jobs/blender/find-blender.js';
import { collectedFrameFile } from '../../electron/controller/jobs/blender/job-frames.js';
import { probeBlendScene, readSceneInfo } from '../../electron/controller/jobs/blender/scene-probe.js';
import { readFrameList } from '../../electron/controller/jobs/frame-list.js';
import type { JobRecord } from '../../electron/controller/model/job-model.js';
import { framesCollected } from '../../electron/farm/run-to-end.js';
import { describeFile } from '../../node-agent/protocol/index.js';
import { startLoopbackFarm, type LoopbackFarm } from '../helpers/loopback-farm.js';
import { comparePixels } from '../helpers/pixel-diff.js';
import { makeScratchDir } from '../helpers/scratch.js';
import { makeViewsScene, renderDirect } from '../helpers/views-scenes.js';

/**
 * Issue 16, "every output comes back", multi-view: a stereo scene whose output saves each view
 * to its own file (Views Format Individual) makes `shot_0001_L.png` and `shot_0001_R.png` per
 * frame. The controller reads the views from the .blend (the same as Blender's own answer),
 * the tasks carry their suffixes, every view file comes back through a loopback farm and
 * decodes to the pixels of a direct `blender -b` render; a frame counts once, shown by its
 * left view. A Stereo 3D scene (one combined file per frame) comes back as one file per frame.
 */

const FRAMES = [1, 2];
let scratch: { dir: string; cleanup: () => Promise<void> };
let farm: LoopbackFarm;
let home: string;
let stereo: string;

before(async () => {
  if (!findBlender()) throw new Error('Blender is not installed: apt-get install -y blender');
  scratch = await makeScratchDir('fh-stereo-views');
  home = join(scratch.dir, 'home');
  farm = await startLoopbackFarm({ agents: [{ blenderPath: findBlender()! }], persist: false });
  await farm.waitFor(() => farm.controller.agents().some((a) => a.online && a.taskTypes.includes('blender')), 'the agent online with Blender', 60_000);
  stereo = await makeViewsScene(join(scratch.dir, 'scenes'), 'stereo', home);
});

after(async () => {
  await farm?.close();
  await scratch?.cleanup();
});

async function render(scene: string, name: string, o: { video?: boolean } = {}): Promise<JobRecord> {
  const sceneInfo = await readSceneInfo(scene, { blenderPath: null, scratchHome: home });
  const job = compileBlenderJob(
    { scenePath: scene, frames: readFrameList(FRAMES.join(',')), chunkSize: 1, outputDir: join(scratch.dir, 'out', name), format: 'PNG', maxAttempts: 1, video: o.video ?? false },
    { scene: await describeFile(scene, basename(scene)), scenePath: scene, sceneInfo, agentCount: 1 },
  );
  farm.controller.submit(job);
  const summary = await farm.controller.waitForJob(job.id);
  assert.equal(summary.state, 'succeeded', `${summary.failure ?? ''} ${job.tasks.map((t) => t.error ?? '').join(' ')}\n${farm.notices.join('\n')}`);
  return job;
}

async function pixelProblems(out: string, reference: string, pairs: [string, string][]): Promise<string[]> {
  const problems: string[] = [];
  for (const [ours, theirs] of pairs) {
    const diff = await comparePixels(join(out, ours), join(reference, theirs));
    if (diff.maxChannelDiff !== 0) problems.push(`${ours}: max channel difference ${diff.maxChannelDiff} against ${theirs}`);
  }
  return problems;
}

test('stereo, one file per view: the controller reads the views as Blender does, every view file of every frame comes back equal to a direct render, and a frame counts once by its left view', { timeout: 300_000 }, async () => {
  const scene = stereo;
  const native = await readSceneInfo(scene, { blenderPath: null, scratchHome: home });
  const blender = await probeBlendScene(scene, { blenderPath: findBlender()!, scratchHome: home });
  assert.deepEqual(native.viewFiles, [{ name: 'left', suffix: '_L' }, { name: 'right', suffix: '_R' }]);
  assert.deepEqual(blender.viewFiles, native.viewFiles);

  const reference = await renderDirect(scene, join(scratch.dir, 'reference-stereo'), FRAMES, { home });
  assert.deepEqual(reference, ['frame_0001_L.png', 'frame_0001_R.png', 'frame_0002_L.png', 'frame_0002_R.png']);

  const job = await render(scene, 'stereo');
  assert.deepEqual(job.tasks.map((t) => t.spec.type === 'blender' && t.spec.viewSuffixes), [['_L', '_R'], ['_L', '_R']]);
  const files = (await readdir(job.outputDir)).filter((f) => f.endsWith('.png')).sort();
  assert.deepEqual(files, ['shot_0001_L.png', 'shot_0001_R.png', 'shot_0002_L.png', 'shot_0002_R.png'].map((f) => f.replace('shot', 'stereo')));
  assert.deepEqual(await pixelProblems(job.outputDir, join(scratch.dir, 'reference-stereo'), files.map((f) => [f, f.replace('stereo', 'frame')])), []);
  // The left and right views differ (a stereo render, not one image twice).
  assert.notEqual((await comparePixels(join(job.outputDir, 'stereo_0001_L.png'), join(job.outputDir, 'stereo_0001_R.png'))).maxChannelDiff, 0);

  assert.deepEqual(job.tasks.flatMap(framesCollected), ['stereo_0001_L.png', 'stereo_0002_L.png']);
  assert.deepEqual(FRAMES.map((f, i) => collectedFrameFile(job.tasks[i]!, f)), ['stereo_0001_L.png', 'stereo_0002_L.png']);
});

test('stereo, one file per view, with --video: the video is made from the left view and the job says so', { timeout: 300_000 }, async () => {
  const job = await render(stereo, 'stereo-video', { video: true });
  assert.deepEqual(job.warnings, ['The scene saves each stereo view to its own file, so the video is made from the left view (_L files) only; every view\'s frames are in the output folder.']);
  const video = job.tasks.find((t) => t.spec.type === 'frames-video')!;
  assert.deepEqual(video.collected, ['stereo.mp4']);
  assert.deepEqual(job.tasks.filter((t) => t.spec.type === 'blender').flatMap((t) => t.collected).sort(), ['stereo_0001_L.png', 'stereo_0001_R.png', 'stereo_0002_L.png', 'stereo_0002_R.png']);
});

test('Stereo 3D (one combined file per frame): one file per frame comes back, equal to a direct render', { timeout: 300_000 }, async () => {
  const scene = await makeViewsScene(join(scratch.dir, 'scenes'), 'stereo3d', home);
  assert.equal((await readSceneInfo(scene, { blenderPath: null, scratchHome: home })).viewFiles, undefined);
  const reference = await renderDirect(scene, join(scratch.dir, 'reference-stereo3d'), FRAMES, { home });
  assert.deepEqual(reference, ['frame_0001.png', 'frame_0002.png']);
  const job = await render(scene, 'stereo3d');
  const files = (await readdir(job.outputDir)).filter((f) => f.endsWith('.png')).sort();
  assert.deepEqual(files, ['stereo3d_0001.png', 'stereo3d_0002.png']);
  assert.deepEqual(await pixelProblems(job.outputDir, join(scratch.dir, 'reference-stereo3d'), files.map((f) => [f, f.replace('stereo3d', 'frame')])), []);
  assert.deepEqual(job.tasks.flatMap(framesCollected), ['stereo3d_0001.png', 'stereo3d_0002.png']);
});

test('which views get files of their own, read from the .blend as Blender reads them: a custom view in Multi-View mode, a switched-off view left out, one view alone saved without a suffix', { timeout: 300_000 }, async () => {
  const cases: [ 'multiview' | 'stereo-one-view', { name: string; suffix: string }[] | undefined, string[]][] = [
    ['multiview', [{ name: 'left', suffix: '_L' }, { name: 'center', suffix: '_C' }], ['frame_0001_C.png', 'frame_0001_L.png']],
    ['stereo-one-view', undefined, ['frame_0001.png']],
  ];
  for (const [kind, views, files] of cases) {
    const scene = await makeViewsScene(join(scratch.dir, 'scenes'), kind, home);
    const native = await readSceneInfo(scene, { blenderPath: null, scratchHome: home });
    const blender = await probeBlendScene(scene, { blenderPath: findBlender()!, scratchHome: home });
    assert.deepEqual(native.viewFiles, views, kind);
    assert.deepEqual(blender.viewFiles, views, kind);
    assert.deepEqual(await renderDirect(scene, join(scratch.dir, `direct-${kind}`), [1], { home }), files, kind);
  }
});
