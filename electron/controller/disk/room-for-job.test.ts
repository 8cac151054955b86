import assert from 'node:assert/strict';
import { test } from 'node:test';
import { newJob, newTask } from '../jobs/new-job.js';
import type { JobRecord } from '../model/job-model.js';
import { diskFullSentence, freeBytes, isDiskFullError, megabytes } from './disk-space.js';
import { NoRoomError } from './no-room-error.js';
import { DEFAULT_FRAME_BYTES, MIN_ROOM_BYTES, ensureRoomFor, estimateOutput } from './room-for-job.js';

const scene = { name: 'a.blend', sha256: 'a'.repeat(64), size: 1000 };

function render(frames: number, settings: Record<string, unknown> = {}, id = 'j1'): JobRecord {
  const tasks = Array.from({ length: frames }, (_, i) => newTask(id, i, `frame ${i + 1}`, { type: 'blender', frames: [i + 1], outputName: 'a', format: 'PNG' }, [scene]));
  return newJob({ id, name: 'a.blend', type: 'blender', priority: 50, tags: [], outputDir: '/out/a', inputFiles: [{ ...scene, path: '/s/a.blend' }], settings: { frameCount: frames, format: 'PNG', ...settings }, tasks });
}

test('a render is estimated from its resolution, then from a frame of the same scene once one is known', () => {
  assert.equal(estimateOutput(render(10, { resolution: [100, 50] }), []).bytes, 10 * 100 * 50 * 4);
  assert.equal(estimateOutput(render(10), []).bytes, 10 * DEFAULT_FRAME_BYTES);
  const earlier = render(2, {}, 'j0');
  earlier.tasks[0]!.outputs = [{ name: 'a_0001.png', sha256: 'b'.repeat(64), size: 7000 }];
  assert.equal(estimateOutput(render(10, { resolution: [100, 50] }), [earlier]).bytes, 70_000);
  // Another format of the same scene says nothing about this one.
  assert.equal(estimateOutput(render(10, { resolution: [100, 50], format: 'OPEN_EXR' }), [earlier]).bytes, 10 * 100 * 50 * 16);
});

test('a transcode is estimated at twice its input', () => {
  const job = newJob({ id: 't1', name: 'v.mp4', type: 'transcode', priority: 50, tags: [], outputDir: '/out', inputFiles: [{ sha256: 'c'.repeat(64), size: 5_000_000, path: '/v.mp4' }], settings: {}, tasks: [] });
  assert.equal(estimateOutput(job, []).bytes, 10_000_000);
});

test('a job is refused in one sentence when its output disk or the data disk cannot hold it', async () => {
  const job = render(100, { resolution: [1000, 1000] }); // 400 MB uncompressed
  const free = new Map([['/out/a', 300_000_000], ['/home', 1_000_000_000]]);
  const measure = async (path: string) => free.get(path)!;
  await assert.rejects(ensureRoomFor(job, { dataDir: '/home', earlier: [], measure }), (error: Error) => {
    assert.ok(error instanceof NoRoomError);
    assert.equal(error.message, 'The output disk /out/a has 300 MB free, too little for this job (about 400 MB: 100 frame(s) of about 4 MB); free some space there or choose another output folder.');
    return true;
  });
  free.set('/out/a', 400_000_000 + MIN_ROOM_BYTES);
  await ensureRoomFor(job, { dataDir: '/home', earlier: [], measure });
  free.set('/home', 1_000_000);
  await assert.rejects(ensureRoomFor(job, { dataDir: '/home', earlier: [], measure }), /^NoRoomError: The data disk \/home has 1 MB free, too little to store this job; free some space there/);
});

test('free space is measured at the nearest folder that exists; full-disk errors are known by code, also when wrapped', async () => {
  assert.ok((await freeBytes('/tmp/does/not/exist/yet')) > 0);
  const enospc = Object.assign(new Error('no space left on device'), { code: 'ENOSPC' });
  assert.ok(isDiskFullError(enospc));
  assert.ok(isDiskFullError(new Error('Could not write x', { cause: Object.assign(new Error('quota'), { code: 'EDQUOT' }) })));
  assert.ok(!isDiskFullError(Object.assign(new Error('denied'), { code: 'EACCES' })));
  assert.equal(megabytes(3_456_789), '3.4 MB');
  assert.equal(diskFullSentence('output', '/out/a', 2_000_000), 'the output disk /out/a is full (2 MB free); the job resumes when there is room');
});
