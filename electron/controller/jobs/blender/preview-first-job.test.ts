import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { SceneInfo } from '../../api/views.js';
import type { TaskRecord } from '../../model/job-model.js';
import { frameFileName } from '../expected-outputs.js';
import { readFrameList } from '../frame-list.js';
import { compileBlenderJob } from './blender-job.js';
import { jobFrameIndex } from './job-frames.js';
import { dependencyOutputs } from './shot-order.js';

const scene = { sha256: 'f'.repeat(64), size: 50, name: 'shot.blend' };
const info: SceneInfo = {
  frameStart: 1, frameEnd: 48, frameStep: 1, fps: 24, resolution: [64, 48], engine: 'CYCLES', fileFormat: 'PNG', outputPath: '/tmp/', camera: 'Camera', scenes: ['Scene'],
};

function compile(settings: Record<string, unknown>, agentCount = 1) {
  return compileBlenderJob({ scenePath: '/art/shot.blend', outputDir: '/out', ...settings }, { scene, scenePath: '/art/shot.blend', sceneInfo: info, agentCount });
}
const framesOf = (t: TaskRecord) => (t.spec.type === 'blender' ? t.spec.frames : []);

test('preview first: single-frame preview tasks at the lowest indices (first, last, middle, quarters), then the rest chunked, every frame once', () => {
  const job = compile({ previewFirst: true, chunkSize: 12 });
  const preview = job.tasks.filter((t) => t.preview);
  assert.deepEqual(preview.map((t) => t.index), [0, 1, 2, 3, 4]);
  assert.deepEqual(preview.map(framesOf), [[1], [48], [25], [13], [36]]);
  assert.deepEqual(preview.map((t) => t.label), ['frame 1', 'frame 48', 'frame 25', 'frame 13', 'frame 36']);
  const rest = job.tasks.filter((t) => !t.preview);
  assert.ok(rest.every((t) => t.spec.type === 'blender' && t.preview === undefined));
  assert.deepEqual(rest.map((t) => t.label), ['frames 2-12,14', 'frames 15-24,26,27', 'frames 28-35,37-40', 'frames 41-47']);
  assert.deepEqual(job.tasks.flatMap(framesOf).sort((a, b) => a - b), Array.from({ length: 48 }, (_, i) => i + 1));
  assert.equal(job.settings.previewFrames, 5);
  // Off by default: the plan is the plain chunks.
  const plain = compile({ chunkSize: 12 });
  assert.equal(plain.tasks.some((t) => t.preview), false);
  assert.deepEqual(plain.tasks.map((t) => t.label), ['frames 1-12', 'frames 13-24', 'frames 25-36', 'frames 37-48']);
});

test('the frame grid lists a preview-first job in the shot\'s order, and its video gets every frame in that order', () => {
  for (const frames of [undefined, '40-1x3']) {
    const job = compile({ previewFirst: true, chunkSize: 5, video: true, ...(frames ? { frames: readFrameList(frames) } : {}) });
    const shot = frames ? readFrameList(frames).frames : Array.from({ length: 48 }, (_, i) => i + 1);
    assert.ok(job.tasks.some((t) => t.preview));
    assert.deepEqual(jobFrameIndex(job).frames, shot);
    // Each frame task "rendered" its frames: the video's inputs are their files, in the shot's order.
    for (const task of job.tasks) if (task.spec.type === 'blender') task.outputs = framesOf(task).map((f) => ({ name: frameFileName('shot', 'PNG', f), sha256: String(f).padStart(64, '0'), size: 1 }));
    const video = job.tasks.find((t) => t.spec.type === 'frames-video')!;
    const byId = new Map(job.tasks.map((t) => [t.id, t]));
    assert.deepEqual(dependencyOutputs(job, video, (id) => byId.get(id)).map((o) => o.name), shot.map((f) => frameFileName('shot', 'PNG', f)));
  }
});

test('the frame index follows a re-plan: the frames of the new queued chunks are found in the new task records', () => {
  const job = compile({ chunkSize: 12 });
  const before = jobFrameIndex(job);
  assert.equal(before.tasks[47], job.tasks[3]);
  // A re-plan swaps the queued tail (replan-tail.ts / JobRuntime.replaceTail): frames 25-48 as one chunk.
  const merged: TaskRecord = { ...job.tasks[2]!, id: `${job.id}.9`, index: 9, spec: { ...(job.tasks[2]!.spec as Extract<TaskRecord['spec'], { type: 'blender' }>), frames: Array.from({ length: 24 }, (_, i) => i + 25) } };
  job.tasks.splice(2, 2, merged);
  const after = jobFrameIndex(job);
  assert.deepEqual(after.frames, Array.from({ length: 48 }, (_, i) => i + 1));
  assert.equal(after.tasks[47], merged);
  assert.equal(after.tasks[24], merged);
  assert.equal(after.tasks[0], job.tasks[0]);
});
