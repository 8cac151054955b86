import assert from 'node:assert/strict';
import { test } from 'node:test';
import { newTask } from '../jobs/new-job.js';
import type { TaskRecord } from '../model/job-model.js';
import { frameTimesOf, noteFramesDone } from './frame-times.js';

function chunk(frames: number[], startedAt: number): TaskRecord {
  const task = newTask('j', 0, `frames ${frames[0]}-${frames.at(-1)}`, { type: 'blender', frames, outputName: 'shot', format: 'PNG' }, []);
  task.startedAt = startedAt;
  return task;
}

test('each frame of a chunk gets the time from the previous frame’s end (the first from the start)', () => {
  const task = chunk([1, 2, 3], 1000);
  noteFramesDone(task, 0, 1500);
  assert.equal(frameTimesOf(task), undefined);
  noteFramesDone(task, 1, 3000);
  noteFramesDone(task, 1, 3200); // a report within the same frame changes nothing
  noteFramesDone(task, 2, 3500);
  assert.deepEqual(frameTimesOf(task), [2000, 500]);
  assert.deepEqual(task.frameEndedAt, [3000, 3500]);
});

test('frames that end within one report share its time evenly; a count past the chunk is capped', () => {
  const task = chunk([1, 2, 3, 4], 0);
  noteFramesDone(task, 1, 1000);
  noteFramesDone(task, 9, 4000);
  assert.deepEqual(frameTimesOf(task), [1000, 1000, 1000, 1000]);
});

test('a report right after another (one burst of Blender lines) shares its time with that report’s frames; a quick frame keeps its own time', () => {
  const burst = chunk([1, 2, 3], 0);
  noteFramesDone(burst, 1, 4992);
  noteFramesDone(burst, 2, 5123); // a quick frame: 131 ms of its own
  noteFramesDone(burst, 3, 5123); // Blender's last two lines reached the agent together
  assert.deepEqual(frameTimesOf(burst), [4992, 66, 65]);
  const together = chunk([1, 2, 3], 0);
  noteFramesDone(together, 2, 1548); // two frames in one report
  noteFramesDone(together, 3, 1548); // and the third in the same burst
  assert.deepEqual(frameTimesOf(together), [516, 516, 516]);
  const later = chunk([1, 2, 3], 0);
  noteFramesDone(later, 1, 3000);
  noteFramesDone(later, 2, 3100);
  noteFramesDone(later, 3, 8100);
  assert.deepEqual(frameTimesOf(later), [3000, 100, 5000]);
});

test('one-frame tasks, other task types and reports without a count record nothing', () => {
  const single = chunk([7], 0);
  noteFramesDone(single, 1, 500);
  assert.equal(single.frameEndedAt, undefined);
  const noop = newTask('j', 1, 'noop', { type: 'noop' }, []);
  noop.startedAt = 0;
  noteFramesDone(noop, 1, 500);
  assert.equal(noop.frameEndedAt, undefined);
  const task = chunk([1, 2], 0);
  noteFramesDone(task, undefined, 500);
  assert.equal(task.frameEndedAt, undefined);
});
