import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { makeTestScene } from '../../../test/fixtures/test-scene.js';
import { makeScratchDir } from '../../../test/helpers/scratch.js';
import { InputError } from '../input-error.js';
import type { RenderRequest } from './job-request.js';
import { FrameListError } from './frame-list.js';
import { SettingsError } from './settings-error.js';
import { prepareJob, submitJob } from './submit-job.js';

// The one submit path, with a real scene written by Blender: the frame list is parsed once,
// before anything is read, and a scene's own range gives the same tasks as the same range typed.

describe('submitJob', { timeout: 120_000 }, () => {
  let scratch: Awaited<ReturnType<typeof makeScratchDir>>;
  let scene: string;
  const render = (extra: Partial<RenderRequest> = {}): RenderRequest => ({ type: 'render', scenePath: scene, video: false, priority: 50, tags: [], ...extra });
  const ctx = () => ({ outputRoot: join(scratch.dir, 'out'), home: scratch.dir, agentCount: 2 });

  before(async () => {
    scratch = await makeScratchDir('fh-submit-job');
    scene = await makeTestScene(scratch.dir, { frames: 6, width: 32, height: 18, samples: 1 });
  });
  after(() => scratch?.cleanup());

  test('the scene\'s own range gives the same tasks as the same range typed, hashed from the file', async () => {
    const byDefault = await submitJob(render({ chunkSize: 4 }), ctx());
    const typed = await submitJob(render({ chunkSize: 4, frames: '1-6' }), ctx());
    const shape = (job: typeof typed) => job.tasks.map((t) => ({ label: t.label, spec: t.spec, inputs: t.inputs }));
    assert.deepEqual(shape(byDefault), shape(typed));
    assert.deepEqual(typed.tasks.map((t) => t.spec.type === 'blender' && t.spec.frames), [[1, 2, 3, 4], [5, 6]]);
    assert.equal(typed.settings.frameCount, 6);
    assert.equal(typed.settings.frames, '1-6', 'the typed list is kept as given');
    assert.equal(byDefault.settings.frames, undefined, 'no list was given');
    assert.equal(typed.outputDir, join(scratch.dir, 'out', 'test-scene'));
    const sha256 = createHash('sha256').update(await readFile(scene)).digest('hex');
    assert.equal(typed.inputFiles[0]?.sha256, sha256);
  });

  test('a bad frame list is a FrameListError before the scene is read', () => {
    const missing = join(scratch.dir, 'nowhere', 'shot.blend');
    assert.throws(() => prepareJob(render({ scenePath: missing, frames: '1-x' }), ctx()), (error: unknown) => {
      assert.ok(error instanceof FrameListError && error instanceof InputError);
      assert.equal(error.message, 'Frame list "1-x": "x" is not a frame number; use lists like 1-250, 1-100x5 or 3,5-10,47.');
      return true;
    });
  });

  test('the frame list is read once: what the compiler chunks is what the request named, in its order', async () => {
    const job = await submitJob(render({ frames: '5,1-3,5', chunkSize: 10 }), ctx());
    assert.deepEqual(job.tasks.map((t) => t.spec.type === 'blender' && t.spec.frames), [[5, 1, 2, 3]]);
    assert.equal(job.tasks[0]?.label, 'frames 5,1-3');
  });

  test('a task of one frame is labelled "frame N", a task of more "frames …"', async () => {
    const job = await submitJob(render({ frames: '1-2,4-6', chunkSize: 3 }), ctx());
    assert.deepEqual(job.tasks.map((t) => t.label), ['frames 1,2,4', 'frames 5,6']);
    const single = await submitJob(render({ frames: '3-4', chunkSize: 1 }), ctx());
    assert.deepEqual(single.tasks.map((t) => t.label), ['frame 3', 'frame 4']);
  });

  test('paths and options are refused in the front end\'s words, as InputErrors', async () => {
    assert.throws(() => prepareJob(render({ scenePath: 'shots/a.blend' }), ctx()),
      (e: unknown) => e instanceof SettingsError && e.message === 'The scene "shots/a.blend" must be an absolute path on the controller\'s machine.');
    const oneShot = { ...ctx(), wording: { machine: 'this machine', eitherChunks: 'Pass one.', otherOutput: 'pass --out' } };
    assert.throws(() => prepareJob(render({ scenePath: 'shots/a.blend' }), oneShot), /must be an absolute path on this machine\.$/);
    const video = join(scratch.dir, 'in.mp4');
    assert.throws(() => prepareJob({ type: 'transcode', inputPath: video, chunks: 2, chunkSeconds: 2, priority: 50, tags: [] }, ctx()),
      (e: unknown) => e instanceof SettingsError && e.message === 'Give either chunks or chunkSeconds, not both.');
    assert.throws(() => prepareJob({ type: 'transcode', inputPath: video, chunks: 2, chunkSeconds: 2, priority: 50, tags: [] }, oneShot), (e: unknown) => e instanceof SettingsError && e.message === 'Pass one.');
    assert.throws(() => prepareJob({ type: 'transcode', inputPath: video, outputPath: video, priority: 50, tags: [] }, ctx()),
      (e: unknown) => e instanceof SettingsError && e.message === 'The output would overwrite the input; choose another output file.');
    await assert.rejects(submitJob(render({ scenePath: join(scratch.dir, 'none.blend') }), ctx()),
      (e: unknown) => e instanceof InputError && e.message.includes(join(scratch.dir, 'none.blend')));
  });
});
