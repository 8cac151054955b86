import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { SceneProbe, VideoProbe } from '../../electron/controller/api/contract.js';
import { uploadUrlFor } from '../../renderer/src/client/upload-file.js';
import { droppableKind, notDroppableMessage } from '../../renderer/src/model/droppable-file.js';
import { EMPTY_FORM, formFromProbe, sceneFrameList, toSubmitParams } from '../../renderer/src/views/submit/submit-form-state.js';

// A dropped or chosen file on its way into the submit dialog, without a browser: which files
// are taken, where a browser uploads them, and how a probe fills the form.

const scene: SceneProbe = {
  kind: 'scene', path: '/farm/uploads/ab/shot.blend', name: 'shot.blend', sizeBytes: 1000, frameStart: 10, frameEnd: 250, frameStep: 1,
  fps: 24, resolution: [1920, 1080], engine: 'CYCLES', fileFormat: 'PNG', camera: 'Camera', scenes: ['Scene'],
};
const video: VideoProbe = {
  kind: 'video', path: '/clips/take1.mov', name: 'take1.mov', sizeBytes: 5000, durationSeconds: 12, fps: 25, frameRate: '25/1', frameCount: 300,
  container: 'mov,mp4,m4a,3gp,3g2,mj2', video: { codec: 'h264', width: 1280, height: 720, pixelFormat: 'yuv420p' }, audio: null,
};

test('scenes and videos are taken by name; anything else is refused with one sentence before it is uploaded', () => {
  assert.equal(droppableKind('shot.blend'), 'scene');
  assert.equal(droppableKind('shot.blend1'), 'scene');
  assert.equal(droppableKind('TAKE1.MOV'), 'video');
  assert.equal(droppableKind('clip.mkv'), 'video');
  assert.equal(droppableKind('notes.txt'), null);
  assert.equal(droppableKind('README'), null);
  assert.match(notDroppableMessage('notes.txt'), /^"notes\.txt" is not a Blender scene or a video, so it cannot be submitted; drop a \.blend file or a video/);
});

test('a browser uploads beside the API socket: ws → http, wss → https', () => {
  assert.equal(uploadUrlFor('ws://127.0.0.1:7400/api'), 'http://127.0.0.1:7400/api/uploads');
  assert.equal(uploadUrlFor('wss://farm.example:443/api'), 'https://farm.example/api/uploads');
});

test('a scene fills in its path and its own frame range; a video switches the form to a transcode', () => {
  const typed = { ...EMPTY_FORM, priority: '70', tags: 'gpu' };
  const filled = formFromProbe(typed, scene);
  assert.deepEqual([filled.type, filled.path, filled.frames, filled.priority, filled.tags], ['render', scene.path, '10-250', '70', 'gpu']);
  assert.deepEqual(toSubmitParams(filled).params, { type: 'render', scenePath: scene.path, frames: '10-250', priority: 70, tags: ['gpu'], video: false, previewFirst: true });
  assert.equal(sceneFrameList({ frameStart: 1, frameEnd: 100, frameStep: 5 }), '1-100x5');
  assert.equal(sceneFrameList({ frameStart: 7, frameEnd: 7, frameStep: 1 }), '7');
  const clip = formFromProbe(filled, video);
  assert.deepEqual([clip.type, clip.path], ['transcode', video.path]);
  assert.equal(toSubmitParams(clip).params?.type, 'transcode');
});

test('"render anyway" sends allowMissing for a render, and a newly chosen scene asks again', () => {
  const ticked = { ...formFromProbe(EMPTY_FORM, scene), allowMissing: true };
  assert.deepEqual(toSubmitParams(ticked).params, { type: 'render', scenePath: scene.path, frames: '10-250', priority: 50, tags: [], video: false, allowMissing: true, previewFirst: true });
  assert.equal('allowMissing' in toSubmitParams({ ...ticked, allowMissing: false }).params!, false);
  assert.equal(formFromProbe(ticked, { ...scene, path: '/farm/uploads/cd/other.blend' }).allowMissing, false);
  assert.equal('allowMissing' in toSubmitParams({ ...formFromProbe(ticked, video), allowMissing: true }).params!, false);
});
