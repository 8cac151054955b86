import assert from 'node:assert/strict';
import { resolve } from 'node:path';
import { test } from 'node:test';
import { submitParams } from './submit-command.js';
import { UserError } from './user-error.js';

const base = { url: 'ws://127.0.0.1:7400/api', json: false, priority: 50, video: false, wait: false };
const none = () => false;

test('a .blend becomes a render with absolute paths and only the options given', () => {
  const given = new Set(['frames', 'chunk']);
  const params = submitParams('scenes/shot.BLEND', { ...base, frames: '1-10', chunk: 2, out: 'renders', tags: ['gpu'], timeout: 60 }, (n) => given.has(n));
  assert.deepEqual(params, {
    type: 'render',
    scenePath: resolve('scenes/shot.BLEND'),
    priority: 50,
    tags: ['gpu'],
    taskTimeoutSeconds: 60,
    frames: '1-10',
    chunkSize: 2,
    outputDir: resolve('renders'),
    video: false,
  });
});

test('anything else becomes a transcode', () => {
  const params = submitParams('/media/in.mov', { ...base, crf: 0, scale: [1280, 720], out: 'x.mp4' }, none);
  assert.deepEqual(params, { type: 'transcode', inputPath: '/media/in.mov', priority: 50, outputPath: resolve('x.mp4'), crf: 0, scale: [1280, 720] });
});

test('options of the other job type are refused, naming the option and the file', () => {
  assert.throws(() => submitParams('a.blend', { ...base, crf: 20 }, (n) => n === 'crf'), (e: Error) => e instanceof UserError && e.message === '--crf applies to videos, and a.blend is a Blender scene; leave it out.');
  assert.throws(() => submitParams('a.mp4', { ...base, video: true }, (n) => n === 'video'), /: --video applies to Blender scenes \(\.blend\), and a\.mp4 is treated as a video/);
  assert.doesNotThrow(() => submitParams('a.mp4', { ...base, chunkSeconds: 2 }, (n) => n === 'chunkSeconds'), 'a transcode option on a video is fine');
  assert.throws(() => submitParams('a.mp4', { ...base, chunks: 2, chunkSeconds: 2 }, none), /Pass either --chunks or --chunk-seconds, not both\./);
});

test('the renderer options go to a render as the contract names them, and are refused for a video', () => {
  const given = new Set(['device', 'blenderVersion', 'trustScripts']);
  const params = submitParams('/art/shot.blend', { ...base, device: 'gpu', blenderVersion: '4.1', trustScripts: true }, (n) => given.has(n));
  assert.ok(params.type === 'render');
  assert.deepEqual([params.device, params.blenderVersion, params.trustScripts], ['gpu', '4.1', true]);
  const plain = submitParams('/art/shot.blend', { ...base, trustScripts: false }, none);
  assert.ok(plain.type === 'render' && !('trustScripts' in plain) && !('device' in plain));
  assert.throws(() => submitParams('a.mp4', { ...base, trustScripts: true }, (n) => n === 'trustScripts'), /: --trust-scripts applies to Blender scenes/);
});
