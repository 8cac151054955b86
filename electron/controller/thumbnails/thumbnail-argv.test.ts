import assert from 'node:assert/strict';
import { test } from 'node:test';
import { thumbnailArgv } from './thumbnail-argv.js';

const SCALE = "scale=w='min(160,iw)':h='min(160,ih)':force_original_aspect_ratio=decrease";
const output = (i: number, target: string) => ['-map', `${i}:v:0`, '-frames:v', '1', '-vf', SCALE, '-pix_fmt', 'yuvj420p', '-q:v', '5', '-f', 'mjpeg', target];

test('one process for several frames: each input read literally, each output mapped to its own input', () => {
  assert.deepEqual(thumbnailArgv([{ source: '/out/a_0001.png', target: '/t/a.jpg' }, { source: '/out/100%/a_0002.png', target: '/t/b.jpg' }]), [
    '-hide_banner', '-v', 'error', '-nostdin', '-y', '-threads', '1', '-filter_threads', '1',
    '-i', 'file:/out/a_0001.png',
    '-i', 'file:/out/100%/a_0002.png',
    ...output(0, '/t/a.jpg'),
    ...output(1, '/t/b.jpg'),
  ]);
});

test('EXR frames (linear light) get the sRGB curve on decoding; other formats do not', () => {
  const argv = thumbnailArgv([{ source: '/out/a_0001.EXR', target: '/t/a.jpg' }, { source: '/out/a_0002.tif', target: '/t/b.jpg' }]);
  assert.deepEqual(argv.slice(9, 15), ['-apply_trc', 'iec61966_2_1', '-i', 'file:/out/a_0001.EXR', '-i', 'file:/out/a_0002.tif']);
});

test('a multilayer EXR is told which layer holds the picture', () => {
  const argv = thumbnailArgv([{ source: '/out/a_0001.exr', target: '/t/a.jpg', exrLayer: 'ViewLayer.Combined' }]);
  assert.deepEqual(argv.slice(9, 15), ['-apply_trc', 'iec61966_2_1', '-layer', 'ViewLayer.Combined', '-i', 'file:/out/a_0001.exr']);
});

test('an empty batch is a programming error', () => {
  assert.throws(() => thumbnailArgv([]), /at least one frame/);
});
