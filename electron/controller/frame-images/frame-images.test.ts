import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { mkdir, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { promisify } from 'node:util';
import { ApiCommands, ApiError, type FrameImage } from '../api/contract.js';
import { compileBlenderJob } from '../jobs/blender/blender-job.js';
import { frameFiles } from '../jobs/expected-outputs.js';
import { readFrameList } from '../jobs/frame-list.js';
import { compileNoopJob } from '../jobs/noop/noop-job.js';
import type { JobRecord } from '../model/job-model.js';
import { findFfmpeg } from '../thumbnails/find-ffmpeg.js';
import { FrameConverter } from './frame-converter.js';
import { frameImage } from './frame-images.js';
import { exposureFilters } from './frame-to-png-argv.js';

// frames.image over a real render job record whose frames are real files made by ffmpeg (PNG,
// JPEG, float EXR of a known linear value), one frame per task so each test owns its frame.
// What comes back is decoded by ffmpeg, pixel by pixel where it matters.
const run = promisify(execFile);
const ffmpegPath = findFfmpeg() ?? 'ffmpeg';
const dir = mkdtempSync(join(tmpdir(), 'farmhand-frame-images-'));
const outputDir = join(dir, 'out');
const outside = join(dir, 'elsewhere');
let job: JobRecord;
const converter = new FrameConverter(ffmpegPath);
const options = { converter: () => converter };

/** The file of `frame` as the job names it, marked collected, written by `make`. */
async function collect(frame: number, make: (path: string) => Promise<unknown>): Promise<string> {
  const task = job.tasks[frame - 1]!;
  if (task.spec.type !== 'blender') throw new Error('not a render task');
  const name = frameFiles(task.spec, frame)[0]!;
  await make(join(outputDir, name));
  task.collected.push(name);
  task.state = 'succeeded';
  return join(outputDir, name);
}

const ffmpegImage = (size: string, extra: string[] = []) => (path: string) => run(ffmpegPath, ['-v', 'error', '-y', '-f', 'lavfi', '-i', `testsrc2=size=${size}`, '-frames:v', '1', ...extra, '-f', 'image2', path]);

/** The RGB(A) bytes ffmpeg decodes from a data URL, with its size. */
async function pixels(dataUrl: string, pixFmt: 'rgb24' | 'rgba' = 'rgb24'): Promise<{ width: number; height: number; data: Buffer }> {
  const path = join(dir, `decoded-${Math.random().toString(36).slice(2)}.png`);
  await writeFile(path, Buffer.from(dataUrl.slice(dataUrl.indexOf(',') + 1), 'base64'));
  const { stdout } = await run('ffprobe', ['-v', 'error', '-show_entries', 'stream=width,height', '-of', 'csv=p=0', path]);
  const [width, height] = stdout.trim().split(',').map(Number) as [number, number];
  const raw = await run(ffmpegPath, ['-v', 'error', '-i', path, '-f', 'rawvideo', '-pix_fmt', pixFmt, '-'], { encoding: 'buffer', maxBuffer: 64 * 1024 * 1024 });
  return { width, height, data: raw.stdout as unknown as Buffer };
}

/** sRGB 8-bit value → linear light. */
const linear = (v: number) => {
  const c = v / 255;
  return c <= 0.04045 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
};

const rejectsWith = (promise: Promise<unknown>, code: string, pattern: RegExp) =>
  assert.rejects(promise, (e: unknown) => {
    assert.ok(e instanceof ApiError, `an ApiError, got ${String(e)}`);
    assert.equal(e.code, code, e.message);
    assert.match(e.message, pattern);
    return true;
  });

before(async () => {
  await mkdir(outputDir, { recursive: true });
  await mkdir(outside, { recursive: true });
  job = compileBlenderJob({ scenePath: join(dir, 'shot.blend'), frames: readFrameList('1-12'), chunkSize: 1, outputDir }, {
    scene: { sha256: 'a'.repeat(64), size: 1, name: 'shot.blend' },
    scenePath: join(dir, 'shot.blend'),
    sceneInfo: null,
    agentCount: 1,
  });
});
after(() => rmSync(dir, { recursive: true, force: true }));

describe('frames.image: which file is served', () => {
  test('a PNG frame is sent byte for byte, at its own size, named and typed', async () => {
    const path = await collect(1, ffmpegImage('64x48'));
    const result = await frameImage(job, { jobId: job.id, frame: 1, exposure: 0 }, options);
    assert.deepEqual({ ...result, image: result.image.slice(0, 22) } satisfies FrameImage, { jobId: job.id, frame: 1, name: 'shot_0001.png', image: 'data:image/png;base64,', format: 'png', exposure: null, fileBytes: (await readFile(path)).length });
    assert.deepEqual(Buffer.from(result.image.slice(22), 'base64'), await readFile(path));
    const { width, height } = await pixels(result.image);
    assert.deepEqual([width, height], [64, 48]);
  });

  test('a JPEG frame is sent as image/jpeg, as it is', async () => {
    job.tasks[1]!.spec = { ...job.tasks[1]!.spec, format: 'JPEG' } as typeof job.tasks[1]['spec'];
    const path = await collect(2, ffmpegImage('64x48'));
    const result = await frameImage(job, { jobId: job.id, frame: 2, exposure: 3 }, options);
    assert.equal(result.format, 'jpeg');
    assert.equal(result.exposure, null, 'exposure is for EXR only');
    assert.ok(result.image.startsWith('data:image/jpeg;base64,'));
    assert.deepEqual(Buffer.from(result.image.slice(result.image.indexOf(',') + 1), 'base64'), await readFile(path));
  });

  test('a frame not of the job, one not rendered yet, and a job without frames are refused with a sentence', async () => {
    await rejectsWith(frameImage(job, { jobId: job.id, frame: 99, exposure: 0 }, options), 'not-found', /^Frame 99 is not one of this job's frames; list them with frames\.list\.$/);
    await rejectsWith(frameImage(job, { jobId: job.id, frame: 12, exposure: 0 }, options), 'bad-input', /^Frame 12 has not been rendered yet; it can be viewed once its task \(frame 12\) succeeds\.$/);
    const noop = compileNoopJob({ count: 1, outputDir });
    await rejectsWith(frameImage(noop, { jobId: noop.id, frame: 1, exposure: 0 }, options), 'bad-input', /only render jobs have frames/);
  });

  test('a frame file replaced by a link to a file outside the output folder is not served', async () => {
    const secret = join(outside, 'secret.png');
    await ffmpegImage('16x16')(secret);
    await collect(3, (path) => symlink(secret, path));
    await rejectsWith(frameImage(job, { jobId: job.id, frame: 3, exposure: 0 }, options), 'bad-input', /^The file of frame 3 \(shot_0003\.png\) is a link that leads outside the job's output folder, so it is not served; open the frame from .*out\.$/);
  });

  test('a collected name that would climb out of the folder is refused before the disk is touched', async () => {
    const task = job.tasks[3]!;
    if (task.spec.type !== 'blender') throw new Error('not a render task');
    task.spec = { ...task.spec, outputName: '../elsewhere/shot' };
    await ffmpegImage('16x16')(join(outside, 'shot_0004.png'));
    task.collected.push(frameFiles(task.spec, 4)[0]!);
    await rejectsWith(frameImage(job, { jobId: job.id, frame: 4, exposure: 0 }, options), 'bad-input', /^Frame 4's file name is not a plain output name, so it is not served; rerender its task\.$/);
  });

  test('a frame whose file is gone, a folder in its place, or a file that is no image: each says so', async () => {
    const gone = await collect(5, ffmpegImage('16x16'));
    await rm(gone);
    await rejectsWith(frameImage(job, { jobId: job.id, frame: 5, exposure: 0 }, options), 'not-found', /^The file of frame 5 \(shot_0005\.png\) is no longer in the job's output folder .*; rerender its task to see it again\.$/);
    await collect(6, (path) => mkdir(path));
    await rejectsWith(frameImage(job, { jobId: job.id, frame: 6, exposure: 0 }, options), 'bad-input', /^The file of frame 6 \(shot_0006\.png\) is not a regular file/);
    await collect(7, (path) => writeFile(path, '<html>not a picture</html>\n'));
    await rejectsWith(frameImage(job, { jobId: job.id, frame: 7, exposure: 0 }, options), 'bad-input', /^The file of frame 7 \(shot_0007\.png\) is not a PNG, JPEG, EXR, TIFF, BMP or Targa image, so the viewer cannot show it; rerender its task\.$/);
  });

  test('a frame larger than the cap is refused with its size and the cap; a converted one too', async () => {
    await collect(8, ffmpegImage('320x240'));
    await rejectsWith(frameImage(job, { jobId: job.id, frame: 8, exposure: 0 }, { ...options, maxImageBytes: 1024 }), 'bad-input', /^Frame 8 \(shot_0008\.png\) is \d+ KB, more than the 1 KB the frame viewer loads from the controller; open it from the job's output folder\.$/);
    const task = job.tasks[8]!;
    task.spec = { ...task.spec, format: 'OPEN_EXR' } as typeof task.spec;
    await collect(9, ffmpegImage('320x240', ['-pix_fmt', 'gbrpf32le']));
    await rejectsWith(frameImage(job, { jobId: job.id, frame: 9, exposure: 0 }, { ...options, maxImageBytes: 1024 }), 'bad-input', /^frame 9 \(shot_0009\.exr\) converts to a PNG larger than the 1 KB the frame viewer loads from the controller; open it from the job's output folder\.$/);
  });

  test('a render job keeps its scene\'s fps, which paces the viewer\'s flipbook', () => {
    const info = { frameStart: 1, frameEnd: 2, frameStep: 1, fps: 30000 / 1001, resolution: [64, 48] as [number, number], engine: 'CYCLES', fileFormat: 'PNG', outputPath: '/tmp/', camera: 'Camera', scenes: ['Scene'] };
    const withInfo = compileBlenderJob({ scenePath: join(dir, 'shot.blend'), outputDir }, { scene: { sha256: 'a'.repeat(64), size: 1, name: 'shot.blend' }, scenePath: join(dir, 'shot.blend'), sceneInfo: info, agentCount: 1 });
    assert.equal(withInfo.settings.fps, 30000 / 1001);
    assert.equal(job.settings.fps, undefined, 'unknown without the scene\'s facts');
  });

  test('the wire refuses what no file check needs to see: negative frames, exposure beyond ±10 stops', () => {
    const schema = ApiCommands['frames.image'];
    assert.equal(schema.safeParse({ jobId: job.id, frame: 1 }).data?.exposure, 0);
    assert.equal(schema.safeParse({ jobId: job.id, frame: -1 }).success, false);
    assert.equal(schema.safeParse({ jobId: job.id, frame: 1, exposure: 10.5 }).success, false);
    assert.equal(schema.safeParse({ jobId: '../etc', frame: 1 }).success, false);
  });
});

describe('frames.image: EXR through ffmpeg with exposure', () => {
  // testsrc2's flat grey patch would do, but a constant frame makes every pixel a check: 0x33
  // becomes linear 0.2 in a float EXR (ffmpeg's rgb24 → gbrpf32le scales by 1/255, no curve).
  const grey = (path: string) => run(ffmpegPath, ['-v', 'error', '-y', '-f', 'lavfi', '-i', 'color=c=0x333333:size=64x48', '-frames:v', '1', '-pix_fmt', 'gbrpf32le', '-f', 'image2', path]);

  test('an EXR comes back as a PNG of its size with the sRGB curve; each stop doubles the light', async () => {
    const task = job.tasks[9]!;
    task.spec = { ...task.spec, format: 'OPEN_EXR' } as typeof task.spec;
    await collect(10, grey);
    const at = async (exposure: number) => {
      const result = await frameImage(job, { jobId: job.id, frame: 10, exposure }, options);
      assert.equal(result.format, 'exr');
      assert.equal(result.exposure, exposure);
      assert.ok(result.image.startsWith('data:image/png;base64,'));
      const { width, height, data } = await pixels(result.image);
      assert.deepEqual([width, height], [64, 48], 'full size, never scaled');
      const values = new Set(data);
      assert.equal(values.size, 1, `a constant frame stays constant: ${[...values].join(', ')}`);
      return linear(data[0]!);
    };
    const base = await at(0);
    assert.ok(Math.abs(base - 0.2) < 0.2 * 0.02, `0 stops: linear ${base}, expected 0.2`);
    for (const stops of [1, -2, -4.5]) {
      const ratio = (await at(stops)) / base;
      const expected = 2 ** stops;
      assert.ok(Math.abs(ratio - expected) / expected < 0.05, `${stops} stops: light × ${ratio.toFixed(4)}, expected × ${expected}`);
    }
    // +3 stops takes 0.2 to 1.6, beyond white: it clips, as a display would.
    assert.equal(Math.round(await at(3) * 255), 255);
  });

  test('exposure beyond the filter\'s ±3 stops is chained, adding up exactly', () => {
    assert.deepEqual(exposureFilters(0), []);
    assert.deepEqual(exposureFilters(-4.5), ['exposure=exposure=-3', 'exposure=exposure=-1.5']);
    assert.deepEqual(exposureFilters(10), ['exposure=exposure=3', 'exposure=exposure=3', 'exposure=exposure=3', 'exposure=exposure=1']);
  });

  test('without ffmpeg an EXR frame is unavailable, saying what to install; a PNG still shows', async () => {
    const none = { converter: () => null };
    await rejectsWith(frameImage(job, { jobId: job.id, frame: 10, exposure: 0 }, none), 'unavailable', /^Frame 10 is EXR, which the viewer shows through ffmpeg on the controller's machine; install ffmpeg/);
    assert.equal((await frameImage(job, { jobId: job.id, frame: 1, exposure: 0 }, none)).format, 'png');
  });
});
