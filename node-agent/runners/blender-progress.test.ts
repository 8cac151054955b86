import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { createBlenderProgressParser, type ProgressUpdate } from './blender-progress.js';

// Lines below were captured from Blender 3.4.1 on Debian 12 (`blender -b … -a`), trimmed to
// the kinds of line that matter; they are pasted verbatim.

const CYCLES_TWO_FRAMES = `Blender 3.4.1
Read blend: /tmp/fh/t.blend
Fra:1 Mem:8.48M (Peak 10.20M) | Time:00:00.01 | Mem:0.00M, Peak:0.00M | Scene, ViewLayer | Synchronizing object | Cube
Fra:1 Mem:8.89M (Peak 10.20M) | Time:00:00.06 | Mem:0.00M, Peak:0.00M | Scene, ViewLayer | Updating Scene BVH | Building BVH 0%
Fra:1 Mem:9.39M (Peak 10.20M) | Time:00:00.06 | Mem:0.76M, Peak:0.76M | Scene, ViewLayer | Sample 0/4
Fra:1 Mem:9.48M (Peak 10.20M) | Time:00:00.07 | Remaining:00:00.01 | Mem:0.84M, Peak:0.84M | Scene, ViewLayer | Sample 1/4
Fra:1 Mem:9.51M (Peak 10.20M) | Time:00:00.07 | Mem:0.84M, Peak:0.84M | Scene, ViewLayer | Sample 4/4
Fra:1 Mem:9.51M (Peak 10.20M) | Time:00:00.07 | Mem:0.84M, Peak:0.84M | Scene, ViewLayer | Finished
Saved: '/tmp/fh/out/t_0001.png'
 Time: 00:00.24 (Saving: 00:00.17)

Fra:2 Mem:8.73M (Peak 10.20M) | Time:00:00.00 | Mem:0.00M, Peak:0.00M | Scene, ViewLayer | Synchronizing object | Cube
Fra:2 Mem:9.39M (Peak 10.20M) | Time:00:00.00 | Mem:0.76M, Peak:0.76M | Scene, ViewLayer | Sample 0/4
Fra:2 Mem:9.48M (Peak 10.20M) | Time:00:00.00 | Remaining:00:00.00 | Mem:0.84M, Peak:0.84M | Scene, ViewLayer | Sample 1/4
Fra:2 Mem:9.51M (Peak 10.20M) | Time:00:00.00 | Mem:0.84M, Peak:0.84M | Scene, ViewLayer | Sample 4/4
Fra:2 Mem:9.51M (Peak 10.20M) | Time:00:00.00 | Mem:0.84M, Peak:0.84M | Scene, ViewLayer | Finished
Saved: '/tmp/fh/out/t_0002.png'
 Time: 00:00.00 (Saving: 00:00.00)


Blender quit`;

const CYCLES_SPARSE_SAMPLES = `Fra:3 Mem:9.39M (Peak 10.20M) | Time:00:00.03 | Mem:0.76M, Peak:0.76M | Scene, ViewLayer | Sample 0/200
Fra:3 Mem:17.31M (Peak 17.31M) | Time:00:00.05 | Remaining:00:05.86 | Mem:8.67M, Peak:8.67M | Scene, ViewLayer | Sample 1/200
Fra:3 Mem:17.31M (Peak 17.31M) | Time:00:01.85 | Remaining:00:02.74 | Mem:8.67M, Peak:8.67M | Scene, ViewLayer | Sample 80/200`;

const EEVEE_ONE_FRAME = `EGL Error (0x3001): EGL_NOT_INITIALIZED: EGL is not initialized, or could not be initialized, for the specified EGL display connection.
Managed to successfully fallback to surfaceless EGL rendering!
Fra:1 Mem:10.21M (Peak 11.33M) | Time:00:01.38 | Syncing Cube
Fra:1 Mem:10.22M (Peak 11.33M) | Time:00:01.86 | Rendering 1 / 64 samples
Fra:1 Mem:10.22M (Peak 11.33M) | Time:00:04.21 | Rendering 26 / 64 samples
Fra:1 Mem:10.22M (Peak 11.33M) | Time:00:04.33 | Rendering 64 / 64 samples
Saved: '/tmp/fh/out7/e_0001.png'
 Time: 00:04.44 (Saving: 00:00.10)`;

function feedAll(totalFrames: number, text: string) {
  const parser = createBlenderProgressParser(totalFrames);
  const updates: ProgressUpdate[] = [];
  for (const line of text.split('\n')) {
    const update = parser.feed(line);
    if (update) updates.push(update);
  }
  return { parser, updates };
}

describe('createBlenderProgressParser', () => {
  test('Cycles: counts frames by Saved: lines and refines with samples', () => {
    const { parser, updates } = feedAll(2, CYCLES_TWO_FRAMES);
    const last = updates[updates.length - 1]!;
    assert.equal(last.fraction, 1);
    assert.equal(last.framesDone, 2);
    assert.equal(last.message, 'Saved t_0002.png');
    assert.deepEqual(parser.savedPaths(), ['/tmp/fh/out/t_0001.png', '/tmp/fh/out/t_0002.png']);
    assert.deepEqual(parser.errors(), []);
    const sample1of4 = updates.find((u) => u.message === 'Sample 1/4' && u.currentFrame === 1)!;
    assert.equal(sample1of4.fraction, 1 / 8);
    const secondFrameStart = updates.find((u) => u.currentFrame === 2)!;
    assert.equal(secondFrameStart.fraction, 0.5);
    assert.equal(secondFrameStart.framesDone, 1);
  });

  test('the status is the end of the Fra: line, without statistics or the view layer', () => {
    const { updates } = feedAll(2, CYCLES_TWO_FRAMES);
    assert.equal(updates[0]!.message, 'Synchronizing object | Cube');
    assert.equal(updates[1]!.message, 'Updating Scene BVH | Building BVH 0%');
  });

  test('progress never goes backwards', () => {
    const { updates } = feedAll(2, CYCLES_TWO_FRAMES);
    for (let i = 1; i < updates.length; i++) assert.ok(updates[i]!.fraction >= updates[i - 1]!.fraction);
  });

  test('Cycles sparse sample lines still move the current frame', () => {
    const { updates } = feedAll(4, CYCLES_SPARSE_SAMPLES);
    const last = updates[updates.length - 1]!;
    assert.equal(last.currentFrame, 3);
    assert.equal(last.fraction, (80 / 200) / 4);
  });

  test('Eevee: "Rendering a / b samples"; EGL noise is neither progress nor an error', () => {
    const { parser, updates } = feedAll(2, EEVEE_ONE_FRAME);
    assert.equal(updates.find((u) => u.message === 'Rendering 26 / 64 samples')!.fraction, (26 / 64) / 2);
    assert.equal(updates[updates.length - 1]!.fraction, 0.5);
    assert.deepEqual(parser.errors(), []);
    assert.deepEqual(parser.savedPaths(), ['/tmp/fh/out7/e_0001.png']);
  });

  test('negative frame numbers are read', () => {
    const parser = createBlenderProgressParser(1);
    const update = parser.feed('Fra:-2 Mem:9.51M (Peak 10.20M) | Time:00:00.03 | Mem:0.84M, Peak:0.84M | Scene, ViewLayer | Finished');
    assert.equal(update?.currentFrame, -2);
  });

  test('collects Error: lines, which Blender prints even when it exits 0', () => {
    const parser = createBlenderProgressParser(1);
    const lines = [
      'Blender 3.4.1',
      'Read blend: /tmp/fh/trunc.blend',
      "Error: Failed to read blend file '/tmp/fh/trunc.blend': Missing DNA block",
      "Error: File format is not supported in file '/tmp/fh/text.blend'",
      "Error: engine not found 'FOO'",
      "imb_savepng: Cannot open file for writing: '/proc/x/e_0001.png'",
      "Error: Render error (Invalid argument) cannot save: '/proc/x/e_0001.png'",
      'Blender quit',
    ];
    for (const line of lines) assert.equal(parser.feed(line), null);
    assert.deepEqual(parser.errors(), [
      "Failed to read blend file '/tmp/fh/trunc.blend': Missing DNA block",
      "File format is not supported in file '/tmp/fh/text.blend'",
      "engine not found 'FOO'",
      "Render error (Invalid argument) cannot save: '/proc/x/e_0001.png'",
    ]);
  });

  test('more Saved: lines than frames (e.g. stereo views) do not pass 1', () => {
    const parser = createBlenderProgressParser(1);
    parser.feed("Saved: '/o/a_0001_L.png'");
    const update = parser.feed("Saved: '/o/a_0001_R.png'");
    assert.equal(update?.fraction, 1);
    assert.equal(update?.framesDone, 1);
  });

  test('unrelated lines change nothing', () => {
    const parser = createBlenderProgressParser(3);
    assert.equal(parser.feed(''), null);
    assert.equal(parser.feed(' Time: 00:00.24 (Saving: 00:00.17)'), null);
    assert.equal(parser.feed('Blender quit'), null);
  });
});
