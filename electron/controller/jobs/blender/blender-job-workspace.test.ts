import assert from 'node:assert/strict';
import { test } from 'node:test';
import { MAX_JOB_WORKSPACE_BYTES } from '../../../../node-agent/protocol/index.js';
import type { DependencyEntry, DependencyManifest } from '../../api/views.js';
import { InputError } from '../../input-error.js';
import { readFrameList } from '../frame-list.js';
import { compileBlenderJob } from './blender-job.js';
import { workspaceBytes, WorkspaceTooLargeError } from './workspace-too-large-error.js';

const scene = { sha256: 'f'.repeat(64), size: 50, name: 'shot010.blend' };

function manifestOf(entries: DependencyEntry[]): DependencyManifest {
  return { entries, totalBytes: entries.reduce((n, e) => n + (e.size ?? 0), 0), missingCount: 0, listedBy: 'reader' };
}

test('the job holds its workspace once; every Blender task names the scene\'s real place and that the workspace applies', () => {
  const manifest = manifestOf([
    { written: '//textures/wood.png', resolved: '/art/proj/shots/textures/wood.png', kind: 'image', from: '/art/proj/shots/shot010.blend', size: 100, sha256: 'a'.repeat(64), missing: false },
    { written: 'C:\\hdri\\sky.exr', resolved: '/mnt/c/hdri/sky.exr', kind: 'image', from: '/art/proj/shots/shot010.blend', size: 200, sha256: 'b'.repeat(64), missing: false },
  ]);
  const job = compileBlenderJob({ scenePath: '/art/proj/shots/shot010.blend', frames: readFrameList('1-4'), chunkSize: 2, outputDir: '/out' }, {
    scene, scenePath: '/art/proj/shots/shot010.blend', sceneInfo: null, agentCount: 1, manifest,
  });
  assert.deepEqual(job.workspace, {
    scenePath: 'shot010.blend',
    files: [
      { path: 'textures/wood.png', sha256: 'a'.repeat(64), size: 100 },
      { path: 'external/c/hdri/sky.exr', sha256: 'b'.repeat(64), size: 200 },
    ],
    pathMap: [{ from: 'C:\\hdri', to: 'external/c/hdri' }],
  });
  assert.equal(job.tasks.length, 2);
  for (const task of job.tasks) {
    assert.deepEqual(task.spec, { type: 'blender', frames: task.spec.type === 'blender' ? task.spec.frames : [], outputName: 'shot010', format: 'PNG', scenePath: 'shot010.blend', workspace: true });
    assert.deepEqual(task.inputs, [scene], 'the scene alone: the files travel by job.workspace');
  }
  // Every dependency is still the job's input by hash, so an agent's input.request for it is served.
  assert.deepEqual(job.inputFiles.map((f) => f.path), ['/art/proj/shots/shot010.blend', '/art/proj/shots/textures/wood.png', '/mnt/c/hdri/sky.exr']);
});

test('without a manifest the scene still renders under its real file name, with no workspace to send', () => {
  const job = compileBlenderJob({ scenePath: '/art/My Shot.blend', frames: readFrameList('1'), outputDir: '/out' }, {
    scene, scenePath: '/art/My Shot.blend', sceneInfo: null, agentCount: 1,
  });
  const spec = job.tasks[0]!.spec;
  assert.ok(spec.type === 'blender' && spec.scenePath === 'My Shot.blend' && spec.workspace === undefined);
  assert.equal(job.workspace, undefined);
  assert.deepEqual(job.tasks[0]!.inputs, [scene]);
});

test('an unbaked disk cache ships as copies in the workspace, a baked one as links', () => {
  const cache = (name: string, hash: string, writable: boolean): DependencyEntry => ({
    written: '//blendcache_shot010/', resolved: `/art/shots/blendcache_shot010/${name}`, kind: 'point-cache', from: '/art/shots/shot010.blend', size: 1700, sha256: hash.repeat(64), missing: false, ...(writable ? { writable: true as const } : {}),
  });
  const job = compileBlenderJob({ scenePath: '/art/shots/shot010.blend', frames: readFrameList('1'), outputDir: '/out' }, {
    scene, scenePath: '/art/shots/shot010.blend', sceneInfo: null, agentCount: 1,
    manifest: manifestOf([cache('536D6F6B65_000001_00.bphys', 'a', true), cache('4261726B_000001_00.bphys', 'b', false)]),
  });
  assert.deepEqual(job.workspace!.files, [
    { path: 'blendcache_shot010/536D6F6B65_000001_00.bphys', sha256: 'a'.repeat(64), size: 1700, copy: true },
    { path: 'blendcache_shot010/4261726B_000001_00.bphys', sha256: 'b'.repeat(64), size: 1700 },
  ]);
});

test('a workspace too large for one control message is refused at submit with the count, the size and the fix', () => {
  // Long paths, as a shot's textures under deep project folders have: ~320 bytes each as JSON.
  const folder = `//textures/${'environment_set_'.repeat(10)}`;
  const entries: DependencyEntry[] = [];
  for (let i = 0; i < 25_000; i++) {
    const name = `tile_${String(i).padStart(5, '0')}.exr`;
    entries.push({ written: `${folder}/${name}`, resolved: `/art/shots/textures/${'environment_set_'.repeat(10)}/${name}`, kind: 'image', from: '/art/shots/shot010.blend', size: 1000, sha256: i.toString(16).padStart(64, '0'), missing: false });
  }
  const compile = (n: number) => compileBlenderJob({ scenePath: '/art/shots/shot010.blend', frames: readFrameList('1-100'), outputDir: '/out' }, {
    scene, scenePath: '/art/shots/shot010.blend', sceneInfo: null, agentCount: 4, manifest: manifestOf(entries.slice(0, n)),
  });
  let error: unknown;
  try {
    compile(entries.length);
  } catch (e) {
    error = e;
  }
  assert.ok(error instanceof WorkspaceTooLargeError && error instanceof InputError, 'an InputError: the CLI exits 2, the API answers bad-input');
  assert.equal(error.fileCount, 25_000);
  assert.ok(error.bytes > MAX_JOB_WORKSPACE_BYTES);
  assert.equal(error.message, `The scene "shot010.blend" needs 25,000 files, whose list takes ${(error.bytes / 1024 ** 2).toFixed(1)} MiB, more than the 6.0 MiB a job can send to its agents; pack the files into the .blend, consolidate them into fewer files (an image sequence into a movie, a cache into fewer frames), or split the scene into several.`);
  // Half of them fit, and the bound is on the workspace's wire size.
  const job = compile(12_500);
  assert.equal(job.workspace!.files.length, 12_500);
  assert.ok(workspaceBytes(job.workspace!) <= MAX_JOB_WORKSPACE_BYTES);
  assert.ok(job.tasks.every((t) => t.inputs.length === 1 && JSON.stringify(t).length < 1000), 'a task stays small whatever the number of files');
});
