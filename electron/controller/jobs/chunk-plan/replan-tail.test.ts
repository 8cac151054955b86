import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import type { TaskRecord } from '../../model/job-model.js';
import { chunkFrames } from '../chunk-frames.js';
import { newTask } from '../new-job.js';
import { chunksOfSizes, planChunkSizes } from './plan-chunks.js';
import { replacementTasks, replannableTail } from './replan-tail.js';

const JOB = 'jtest';

function blenderJob(frames: number[], chunk: number, video: boolean, previews = 0): TaskRecord[] {
  const tasks: TaskRecord[] = [];
  for (const f of frames.slice(0, previews)) tasks.push({ ...newTask(JOB, tasks.length, `frame ${f}`, spec([f]), []), preview: true } as TaskRecord);
  for (const c of chunkFrames(frames.slice(previews), chunk)) tasks.push(newTask(JOB, tasks.length, 'chunk', spec(c), []));
  if (video) tasks.push(newTask(JOB, tasks.length, 'video', { type: 'frames-video', fps: '24', frameExt: 'png', frameCount: frames.length, outputName: 'x.mp4' }, [], tasks.map((t) => t.id), { inputsFromDependencies: true }));
  return tasks;
}

function spec(frames: number[]): TaskRecord['spec'] {
  return { type: 'blender', frames, outputName: 'shot', format: 'PNG' };
}

const framesOf = (tasks: readonly TaskRecord[]) => tasks.flatMap((t) => (t.spec.type === 'blender' ? t.spec.frames : []));

/** Applies a re-plan the way the scheduler's verb does: the tail replaced in place. */
function replan(tasks: TaskRecord[], sizesFor: (n: number) => number[]): boolean {
  const tail = replannableTail(tasks);
  if (!tail) return false;
  const next = replacementTasks(tasks, tail, chunksOfSizes(tail.frames, sizesFor(tail.frames.length)));
  tasks.splice(tail.start, tasks.length - tail.start, ...next);
  return true;
}

function checkJob(tasks: readonly TaskRecord[], frames: readonly number[]): void {
  assert.deepEqual(framesOf(tasks), frames, 'every frame once, in order');
  tasks.forEach((t, i) => {
    assert.equal(t.index, i);
    assert.equal(t.id, `${JOB}.${i}`);
  });
  const video = tasks.find((t) => t.spec.type === 'frames-video');
  if (video) assert.deepEqual(video.dependsOn, tasks.filter((t) => t.spec.type === 'blender').map((t) => t.id));
}

test('the tail is the never-started chunks at the end; running, finished, retried and preview chunks stay', () => {
  const tasks = blenderJob([1, 2, 3, 4, 5, 6, 7, 8, 9, 10], 2, true, 2);
  tasks[2]!.state = 'succeeded';
  tasks[2]!.attempt = 1;
  tasks[3]!.state = 'queued'; // failed once, waiting for its retry
  tasks[3]!.attempt = 1;
  tasks[3]!.failures = 1;
  const tail = replannableTail(tasks)!;
  assert.equal(tail.start, 4);
  assert.deepEqual(tail.frames, [7, 8, 9, 10]);
  assert.deepEqual(tail.sizes, [2, 2]);
  assert.equal(tail.video, tasks.at(-1));
  // Previews alone are never a tail.
  assert.equal(replannableTail(blenderJob([1, 2, 3], 1, false, 3)), null);
  // A video that already runs ends every re-plan.
  const done = blenderJob([1, 2, 3, 4], 2, true);
  done.at(-1)!.attempt = 1;
  assert.equal(replannableTail(done), null);
});

test('merging a tail keeps positions, ids and the video\'s dependencies right', () => {
  const frames = Array.from({ length: 48 }, (_, i) => i + 1);
  const tasks = blenderJob(frames, 12, true);
  tasks[0]!.state = 'running';
  tasks[0]!.attempt = 1;
  assert.ok(replan(tasks, (n) => [n]));
  assert.equal(tasks.length, 3);
  assert.deepEqual(tasks[1]!.spec.type === 'blender' && tasks[1]!.spec.frames.length, 36);
  assert.equal(tasks[1]!.label, 'frames 13-48');
  checkJob(tasks, frames);
});

test('re-planning never loses or duplicates a frame, over random measurements, hand-outs, chunks fitted to the asking agent, and lost agents', () => {
  const slotsArb = fc.array(fc.record({ startupMs: fc.integer({ min: 0, max: 10_000 }), frameMs: fc.integer({ min: 1, max: 600_000 }), freeInMs: fc.integer({ min: 0, max: 600_000 }) }), { minLength: 1, maxLength: 6 });
  const op = fc.oneof(
    // Dispatch-time sizing (chunk-replanner.ts fitHead): the tail is cut again for the slot asking, which takes its head.
    fc.record({ kind: fc.constant('fit' as const), slots: slotsArb, asking: fc.nat(), targetMinutes: fc.integer({ min: 1, max: 60 }) }),
    fc.record({ kind: fc.constant('assign' as const), which: fc.nat() }),
    fc.record({ kind: fc.constant('finish' as const), which: fc.nat() }),
    fc.record({ kind: fc.constant('lose' as const), which: fc.nat() }),
    fc.record({ kind: fc.constant('fail' as const), which: fc.nat() }),
    fc.record({
      kind: fc.constant('replan' as const),
      slots: fc.array(fc.record({ startupMs: fc.integer({ min: 0, max: 10_000 }), frameMs: fc.integer({ min: 1, max: 600_000 }), freeInMs: fc.integer({ min: 0, max: 600_000 }) }), { minLength: 1, maxLength: 6 }),
      targetMinutes: fc.integer({ min: 1, max: 60 }),
    }),
  );
  fc.assert(
    fc.property(fc.integer({ min: 1, max: 300 }), fc.integer({ min: 1, max: 60 }), fc.boolean(), fc.integer({ min: 0, max: 4 }), fc.array(op, { maxLength: 60 }), (count, chunk, video, previews, ops) => {
      const frames = Array.from({ length: count }, (_, i) => i * 2 + 1);
      const tasks = blenderJob(frames, chunk, video, Math.min(previews, count));
      const rendered: number[] = [];
      const frameTasks = () => tasks.filter((t) => t.spec.type === 'blender');
      for (const o of ops) {
        if (o.kind === 'fit') {
          const tail = replannableTail(tasks);
          if (tail) {
            const sizes = planChunkSizes({ frameCount: tail.frames.length, slots: o.slots, targetChunkMs: o.targetMinutes * 60_000, askingSlot: o.asking % o.slots.length });
            if (sizes[0] !== tail.sizes[0]) replan(tasks, () => sizes);
            const head = tasks[tail.start]!;
            assert.equal(head.spec.type === 'blender' && head.spec.frames.length, sizes[0], 'the asking slot takes the chunk sized for it');
            Object.assign(head, { state: 'running', attempt: 1, agentId: 'a' });
          }
        } else if (o.kind === 'replan') {
          replan(tasks, (n) => planChunkSizes({ frameCount: n, slots: o.slots, targetChunkMs: o.targetMinutes * 60_000 }));
        } else if (o.kind === 'assign') {
          const queued = frameTasks().filter((t) => t.state === 'queued');
          const task = queued[o.which % Math.max(1, queued.length)];
          if (task) Object.assign(task, { state: 'running', attempt: task.attempt + 1, agentId: 'a' });
        } else {
          const running = frameTasks().filter((t) => t.state === 'running');
          const task = running[o.which % Math.max(1, running.length)];
          if (!task) continue;
          if (o.kind === 'finish') {
            task.state = 'succeeded';
            if (task.spec.type === 'blender') rendered.push(...task.spec.frames);
          } else Object.assign(task, { state: 'queued', agentId: null, failures: task.failures + (o.kind === 'fail' ? 1 : 0) });
        }
        checkJob(tasks, frames);
      }
      // Whatever is left renders; each frame was rendered exactly once.
      for (const task of frameTasks()) if (task.state !== 'succeeded' && task.spec.type === 'blender') rendered.push(...task.spec.frames);
      assert.deepEqual([...rendered].sort((a, b) => a - b), frames);
    }),
    { numRuns: 300 },
  );
});
