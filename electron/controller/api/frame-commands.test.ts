import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { mkdir, readdir, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { promisify } from 'node:util';
import { compileBlenderJob } from '../jobs/blender/blender-job.js';
import { readFrameList } from '../jobs/frame-list.js';
import { compileNoopJob } from '../jobs/noop/noop-job.js';
import type { JobRecord } from '../model/job-model.js';
import { ApiCommands, ApiError, MAX_THUMBNAILS_PER_CALL } from './contract.js';
import { createFrameCommands } from './frame-commands.js';

// frames.list and frames.thumbnails over a render job whose first chunk's frames are in its
// output folder (real PNGs made by ffmpeg, named as Blender names them) and whose second
// chunk has not been rendered. The thumbnails are decoded by ffprobe.
const run = promisify(execFile);
const dir = mkdtempSync(join(tmpdir(), 'farmhand-frames-'));
const outputDir = join(dir, 'out');
let job: JobRecord;

before(async () => {
  await mkdir(outputDir);
  job = compileBlenderJob({ scenePath: join(dir, 'shot.blend'), frames: readFrameList('1-4'), chunkSize: 2, outputDir }, {
    scene: { sha256: 'a'.repeat(64), size: 1, name: 'shot.blend' },
    scenePath: join(dir, 'shot.blend'),
    sceneInfo: null,
    agentCount: 1,
  });
  for (const frame of [1, 2]) {
    const name = `shot_000${frame}.png`;
    await run('ffmpeg', ['-v', 'error', '-y', '-f', 'lavfi', '-i', 'testsrc2=size=640x360', '-frames:v', '1', join(outputDir, name)]);
    job.tasks[0]!.collected.push(name);
  }
  job.tasks[0]!.state = 'succeeded';
});

after(() => rmSync(dir, { recursive: true, force: true }));

const imageSize = async (dataUrl: string) => {
  assert.match(dataUrl, /^data:image\/jpeg;base64,/);
  const path = join(dir, `t-${Math.random().toString(36).slice(2)}.jpg`);
  await writeFile(path, Buffer.from(dataUrl.slice(dataUrl.indexOf(',') + 1), 'base64'));
  const { stdout } = await run('ffprobe', ['-v', 'error', '-show_entries', 'stream=width,height', '-of', 'csv=p=0', path]);
  return stdout.trim();
};

describe('frame commands', () => {
  test('frames.list: every frame in render order with its task and whether it has arrived, a page at a time', () => {
    const frames = createFrameCommands({ home: mkdtempSync(join(dir, 'home-')) });
    const all = frames.list(job, { jobId: job.id, offset: 0, limit: 100 });
    assert.equal(all.total, 4);
    assert.deepEqual(all.items, [
      { frame: 1, taskId: job.tasks[0]!.id, taskIndex: 0, rendered: true },
      { frame: 2, taskId: job.tasks[0]!.id, taskIndex: 0, rendered: true },
      { frame: 3, taskId: job.tasks[1]!.id, taskIndex: 1, rendered: false },
      { frame: 4, taskId: job.tasks[1]!.id, taskIndex: 1, rendered: false },
    ]);
    assert.deepEqual(frames.list(job, { jobId: job.id, offset: 3, limit: 100 }).items.map((f) => f.frame), [4]);
  });

  test('frames.thumbnails: a JPEG data URL per rendered frame, a sentence per frame without one', async () => {
    const home = mkdtempSync(join(dir, 'home-'));
    const frames = createFrameCommands({ home });
    const result = await frames.thumbnails(job, { jobId: job.id, frames: [2, 1, 3, 99] });
    assert.equal(result.jobId, job.id);
    assert.deepEqual(result.thumbnails.map((t) => t.frame), [2, 1, 3, 99]);
    for (const t of result.thumbnails.slice(0, 2)) {
      assert.equal(t.problem, null);
      assert.equal(await imageSize(t.image!), '160,90');
    }
    assert.deepEqual(result.thumbnails[2], { frame: 3, image: null, problem: { code: 'bad-input', message: `Frame 3 has not been rendered yet; its thumbnail comes once its task (frames 3,4) succeeds.` } });
    assert.deepEqual(result.thumbnails[3], { frame: 99, image: null, problem: { code: 'not-found', message: 'Frame 99 is not one of this job\'s frames; list them with frames.list.' } });
    assert.deepEqual(await readdir(join(home, 'thumbnails', job.id)), ['shot_0001.png.jpg', 'shot_0002.png.jpg'].sort());

    await frames.removeJob(job.id);
    assert.deepEqual(await readdir(join(home, 'thumbnails')), [], 'a deleted job leaves no thumbnails');
  });

  test('a job with no frames (a transcode, here a noop) is bad input; so is a frame list longer than the cap', async () => {
    const frames = createFrameCommands({ home: mkdtempSync(join(dir, 'home-')) });
    const noop = compileNoopJob({ count: 1, outputDir });
    await assert.rejects(frames.thumbnails(noop, { jobId: noop.id, frames: [1] }), (e: unknown) => e instanceof ApiError && e.code === 'bad-input' && /only render jobs have frames/.test(e.message));
    assert.throws(() => frames.list(noop, { jobId: noop.id, offset: 0, limit: 10 }), /only render jobs have frames/);
    const schema = ApiCommands['frames.thumbnails'];
    assert.equal(schema.safeParse({ jobId: job.id, frames: Array.from({ length: MAX_THUMBNAILS_PER_CALL }, (_, i) => i) }).success, true);
    assert.equal(schema.safeParse({ jobId: job.id, frames: Array.from({ length: MAX_THUMBNAILS_PER_CALL + 1 }, (_, i) => i) }).success, false);
    assert.equal(schema.safeParse({ jobId: job.id, frames: [] }).success, false);
    assert.equal(schema.safeParse({ jobId: job.id, frames: [-1] }).success, false);
  });

  test('without ffmpeg the call fails as unavailable, saying what to install', async () => {
    const frames = createFrameCommands({ home: mkdtempSync(join(dir, 'home-')), ffmpegPath: join(dir, 'no-such-ffmpeg') });
    await assert.rejects(frames.thumbnails(job, { jobId: job.id, frames: [1] }), (e: unknown) => e instanceof ApiError && e.code === 'unavailable' && /need ffmpeg on the controller's machine; install ffmpeg/.test(e.message));
    const unrendered = await frames.thumbnails(job, { jobId: job.id, frames: [3] });
    assert.equal(unrendered.thumbnails[0]!.problem!.code, 'bad-input', 'frames without a file still say so');
  });
});
