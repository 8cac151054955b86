import { test } from 'node:test';
import assert from 'node:assert/strict';
import { deriveJobState, emptyCounts, InvalidTransitionError, nextTaskState, type TaskCounts } from './task-state.js';
import type { TaskState } from '../model/job-model.js';

function walk(start: TaskState, ...transitions: Parameters<typeof nextTaskState>[1][]): TaskState {
  return transitions.reduce<TaskState>((state, t) => nextTaskState(state, t), start);
}

test('T: queued > assigned > running > succeeded', () => {
  assert.equal(walk('queued', 'assign', 'start', 'succeed'), 'succeeded');
});

test('T: assigned > succeeded directly (a task too quick to report progress)', () => {
  assert.equal(walk('queued', 'assign', 'succeed'), 'succeeded');
});

test('T: running > queued on a lost agent, then assigned again', () => {
  assert.equal(walk('queued', 'assign', 'start', 'requeue', 'assign'), 'assigned');
});

test('T: running > failed > queued on retry', () => {
  assert.equal(walk('queued', 'assign', 'start', 'fail', 'retry'), 'queued');
});

test('finished tasks cannot be resurrected by late messages', () => {
  for (const t of ['assign', 'start', 'succeed', 'requeue', 'fail', 'cancel'] as const) {
    assert.throws(() => nextTaskState('succeeded', t), InvalidTransitionError);
  }
  assert.throws(() => nextTaskState('canceled', 'assign'), /a canceled task cannot assign/);
  assert.throws(() => nextTaskState('queued', 'succeed'), /a queued task cannot succeed/);
});

function counts(partial: Partial<TaskCounts>): TaskCounts {
  return { ...emptyCounts(), ...partial };
}
const job = { paused: false, failure: null, canceled: false };

test('J: derived from task counts', () => {
  assert.equal(deriveJobState(job, counts({ queued: 3 }), 3), 'queued');
  assert.equal(deriveJobState(job, counts({ queued: 2, running: 1 }), 3), 'running');
  assert.equal(deriveJobState(job, counts({ queued: 2, succeeded: 1 }), 3), 'running');
  assert.equal(deriveJobState(job, counts({ succeeded: 3 }), 3), 'succeeded');
  assert.equal(deriveJobState(job, counts({ succeeded: 2, failed: 1 }), 3), 'failed');
  assert.equal(deriveJobState({ ...job, paused: true }, counts({ queued: 2, running: 1 }), 3), 'paused');
  assert.equal(deriveJobState({ ...job, paused: true }, counts({ succeeded: 3 }), 3), 'succeeded');
  assert.equal(deriveJobState({ ...job, canceled: true }, counts({ canceled: 3 }), 3), 'canceled');
  assert.equal(deriveJobState({ ...job, failure: 'scene missing' }, counts({ failed: 1, canceled: 2 }), 3), 'failed');
});
