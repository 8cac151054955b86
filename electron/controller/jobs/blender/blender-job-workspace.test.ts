import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { DependencyManifest } from '../../api/views.js';
import { readFrameList } from '../frame-list.js';
import { compileBlenderJob } from './blender-job.js';

const scene = { sha256: 'f'.repeat(64), size: 50, name: 'shot010.blend' };

test('every Blender task names its scene\'s real place and ships the manifest\'s files by hash', () => {
  const manifest: DependencyManifest = {
    entries: [
      { written: '//textures/wood.png', resolved: '/art/proj/shots/textures/wood.png', kind: 'image', from: '/art/proj/shots/shot010.blend', size: 100, sha256: 'a'.repeat(64), missing: false },
      { written: 'C:\\hdri\\sky.exr', resolved: '/mnt/c/hdri/sky.exr', kind: 'image', from: '/art/proj/shots/shot010.blend', size: 200, sha256: 'b'.repeat(64), missing: false },
    ],
    totalBytes: 300,
    missingCount: 0,
    listedBy: 'reader',
  };
  const job = compileBlenderJob({ scenePath: '/art/proj/shots/shot010.blend', frames: readFrameList('1-4'), chunkSize: 2, outputDir: '/out' }, {
    scene, scenePath: '/art/proj/shots/shot010.blend', sceneInfo: null, agentCount: 1, manifest,
  });
  assert.equal(job.tasks.length, 2);
  for (const task of job.tasks) {
    assert.equal(task.spec.type, 'blender');
    if (task.spec.type !== 'blender') continue;
    assert.equal(task.spec.scenePath, 'shot010.blend');
    assert.deepEqual(task.spec.files, [
      { path: 'textures/wood.png', sha256: 'a'.repeat(64), size: 100 },
      { path: 'external/c/hdri/sky.exr', sha256: 'b'.repeat(64), size: 200 },
    ]);
    assert.deepEqual(task.spec.pathMap, [{ from: 'C:\\hdri', to: 'external/c/hdri' }]);
    assert.deepEqual(task.inputs.map((i) => i.sha256), [scene.sha256, 'a'.repeat(64), 'b'.repeat(64)], 'the scene first');
  }
  assert.deepEqual(job.inputFiles.map((f) => f.path), ['/art/proj/shots/shot010.blend', '/art/proj/shots/textures/wood.png', '/mnt/c/hdri/sky.exr']);
});

test('without a manifest the scene still renders under its real file name', () => {
  const job = compileBlenderJob({ scenePath: '/art/My Shot.blend', frames: readFrameList('1'), outputDir: '/out' }, {
    scene, scenePath: '/art/My Shot.blend', sceneInfo: null, agentCount: 1,
  });
  const spec = job.tasks[0]!.spec;
  assert.ok(spec.type === 'blender' && spec.scenePath === 'My Shot.blend' && spec.files === undefined && spec.pathMap === undefined);
  assert.deepEqual(job.tasks[0]!.inputs, [scene]);
});
