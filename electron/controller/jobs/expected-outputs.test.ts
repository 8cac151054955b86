import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { BlenderTaskSpec, TaskSpec } from '../../../node-agent/protocol/index.js';
import { chainedOutputs, collectedFrames, compareOutputs, expectedOutputs, frameFileName, frameFiles } from './expected-outputs.js';
import { newTask } from './new-job.js';

const task = (spec: TaskSpec, attempt = 1) => ({ ...newTask('j1', 3, 'x', spec, []), attempt });
const names = (spec: TaskSpec, attempt = 1) => [...expectedOutputs(task(spec, attempt))];

test('a render chunk makes <outputName>_<frame, four digits at least>.<extension of its format>, one per frame', () => {
  assert.deepEqual(names({ type: 'blender', frames: [1, 2, 10], outputName: 'scene', format: 'PNG' }), ['scene_0001.png', 'scene_0002.png', 'scene_0010.png']);
  assert.deepEqual(names({ type: 'blender', frames: [12345], outputName: 'My_Scene.v2', format: 'JPEG' }), ['My_Scene.v2_12345.jpg']);
  assert.deepEqual(names({ type: 'blender', frames: [0, 7], outputName: 's', format: 'OPEN_EXR_MULTILAYER' }), ['s_0000.exr', 's_0007.exr']);
  assert.deepEqual(names({ type: 'blender', frames: [5, 5], outputName: 's', format: 'TARGA' }), ['s_0005.tga']);
  assert.equal(frameFileName('s', 'TIFF', -2), 's_-0002.tif');
  assert.equal(frameFileName('s', 'BMP', 3), 's_0003.bmp');
  assert.equal(frameFileName('s', 'OPEN_EXR', 3), 's_0003.exr');
});

test('a transcode chunk, audio, join and frames-to-video each make their outputName', () => {
  const video = { codec: 'libx264' };
  assert.deepEqual(names({ type: 'transcode-chunk', seekSeconds: 0, frameCount: 10, video, outputName: 'chunk_0003.mkv' }), ['chunk_0003.mkv']);
  assert.deepEqual(names({ type: 'transcode-audio', codec: 'aac', outputName: 'audio.m4a' }), ['audio.m4a']);
  assert.deepEqual(names({ type: 'transcode-join', chunkDurations: [1], hasAudio: false, outputName: 'out.mp4', expectFrames: 24, expectDurationSeconds: 1 }), ['out.mp4']);
  assert.deepEqual(names({ type: 'frames-video', fps: '24', frameExt: 'png', frameCount: 3, outputName: 'scene.mp4' }), ['scene.mp4']);
});

test('a noop makes nothing, or with outputBytes the one file named after its attempt', () => {
  assert.deepEqual(names({ type: 'noop' }), []);
  assert.deepEqual(names({ type: 'noop', outputBytes: 10 }, 2), ['j1.3__2.bin']);
  assert.deepEqual([...expectedOutputs({ id: 'a:b', attempt: 1, spec: { type: 'noop', outputBytes: 1 } })], ['a_b__1.bin']);
});

test('a claim matches only with exactly the expected names: nothing missing, nothing added, nothing twice', () => {
  const render = task({ type: 'blender', frames: [1, 2], outputName: 's', format: 'PNG' });
  const ref = (name: string) => ({ name });
  assert.equal(compareOutputs(render, [ref('s_0002.png'), ref('s_0001.png')]), null);
  assert.deepEqual(compareOutputs(render, []), { missing: ['s_0001.png', 's_0002.png'], unexpected: [] });
  assert.deepEqual(compareOutputs(render, [ref('s_0001.png'), ref('s_0003.png')]), { missing: ['s_0002.png'], unexpected: ['s_0003.png'] });
  assert.deepEqual(compareOutputs(render, [ref('s_0001.png'), ref('s_0001.png'), ref('s_0002.png')]), { missing: [], unexpected: ['s_0001.png'] });
  assert.deepEqual(compareOutputs(render, [ref('s_0001.png'), ref('s_0002.png'), ref('../s_0001.png')]), { missing: [], unexpected: ['../s_0001.png'] });
  assert.equal(compareOutputs(task({ type: 'noop' }), []), null);
  assert.deepEqual(compareOutputs(task({ type: 'noop' }), [ref('x.bin')]), { missing: [], unexpected: ['x.bin'] });
});

test('a render may also hand back File Output passes under passes/ (safe relative names); its frames must still all be there, and nothing else may', () => {
  const render = task({ type: 'blender', frames: [1, 2], outputName: 's', format: 'PNG' });
  const ref = (name: string) => ({ name });
  const frames = [ref('s_0001.png'), ref('s_0002.png')];
  assert.equal(compareOutputs(render, [...frames, ref('passes/fg_0001.png'), ref('passes/comp/bg_0002.png')]), null);
  assert.deepEqual(compareOutputs(render, [ref('s_0001.png'), ref('passes/fg_0001.png')]), { missing: ['s_0002.png'], unexpected: [] });
  const hostile = ['passes/../x.png', 'passes/', 'passes//x.png', 'passes/.hidden', 'other/fg_0001.png', '/passes/x.png', 'passes\\x.png', `passes/${'a'.repeat(260)}`];
  for (const name of hostile) assert.deepEqual(compareOutputs(render, [...frames, ref(name)]), { missing: [], unexpected: [name] }, name);
  assert.deepEqual(compareOutputs(render, [...frames, ref('passes/a.png'), ref('passes/a.png')]), { missing: [], unexpected: ['passes/a.png'] }, 'twice');
  const chunk = task({ type: 'transcode-audio', codec: 'aac', outputName: 'audio.m4a' });
  assert.deepEqual(compareOutputs(chunk, [ref('audio.m4a'), ref('passes/a.png')]), { missing: [], unexpected: ['passes/a.png'] }, 'only renders make passes');
});

test('a later task (a render\'s video) takes a render\'s frames as inputs, never its passes', () => {
  const outputs = [{ name: 's_0001.png' }, { name: 'passes/fg_0001.png' }, { name: 's_0002.png' }];
  assert.deepEqual(chainedOutputs({ spec: { type: 'blender', frames: [1, 2], outputName: 's', format: 'PNG' }, outputs }), [{ name: 's_0001.png' }, { name: 's_0002.png' }]);
  assert.deepEqual(chainedOutputs({ spec: { type: 'transcode-audio', codec: 'aac', outputName: 'audio.m4a' }, outputs: [{ name: 'audio.m4a' }] }), [{ name: 'audio.m4a' }]);
});

test('a scene saving each stereo view to its own file makes one file per view and frame, the suffix before the extension, and a claim needs all of them', () => {
  const spec: BlenderTaskSpec = { type: 'blender', frames: [1, 2], outputName: 's', format: 'PNG', viewSuffixes: ['_L', '_R'] };
  assert.deepEqual(names(spec), ['s_0001_L.png', 's_0001_R.png', 's_0002_L.png', 's_0002_R.png']);
  assert.deepEqual(frameFiles({ ...spec, format: 'OPEN_EXR_MULTILAYER' }, -2), ['s_-0002_L.exr', 's_-0002_R.exr']);
  const ref = (name: string) => ({ name });
  const render = task(spec);
  assert.equal(compareOutputs(render, names(spec).map(ref)), null);
  assert.deepEqual(compareOutputs(render, [ref('s_0001_L.png'), ref('s_0002_L.png'), ref('s_0002_R.png')]), { missing: ['s_0001_R.png'], unexpected: [] });
  assert.deepEqual(compareOutputs(render, [...names(spec).map(ref), ref('s_0001.png')]), { missing: [], unexpected: ['s_0001.png'] });
});

test('a stereo frame counts as collected once every view came back, named by its first view; a video takes the first view only', () => {
  const spec: BlenderTaskSpec = { type: 'blender', frames: [1, 2, 3], outputName: 's', format: 'PNG', viewSuffixes: ['_L', '_R'] };
  assert.deepEqual(collectedFrames(spec, ['s_0001_L.png', 's_0001_R.png', 's_0002_L.png', 'passes/x/s_0003_L.png', 's_0003_R.png']), [{ frame: 1, file: 's_0001_L.png' }]);
  assert.deepEqual(collectedFrames({ ...spec, viewSuffixes: undefined }, ['s_0002.png', 'passes/s_0001.png']), [{ frame: 2, file: 's_0002.png' }]);
  const outputs = ['s_0001_L.png', 's_0001_R.png', 'passes/L/s_0001_L.png', 's_0002_L.png', 's_0002_R.png'].map((name) => ({ name }));
  assert.deepEqual(chainedOutputs({ spec, outputs }), [{ name: 's_0001_L.png' }, { name: 's_0002_L.png' }]);
});
