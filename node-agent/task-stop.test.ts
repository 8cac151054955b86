import assert from 'node:assert/strict';
import { test } from 'node:test';
import { TaskStop } from './task-stop.js';

test('a signal asked for before the stop is aborted by it', () => {
  const stop = new TaskStop();
  const signal = stop.signal;
  assert.equal(signal.aborted, false);
  assert.equal(stop.stopped, false);
  stop.stop('timeout');
  assert.equal(signal.aborted, true);
  assert.equal(stop.reason, 'timeout');
});

test('a signal asked for after the stop is already aborted', () => {
  const stop = new TaskStop();
  stop.stop('cancel');
  assert.equal(stop.stopped, true);
  assert.equal(stop.signal.aborted, true);
});

test('the same signal is returned every time', () => {
  const stop = new TaskStop();
  assert.equal(stop.signal, stop.signal);
});

test('a later reason replaces an earlier one', () => {
  const stop = new TaskStop();
  stop.stop('timeout');
  stop.stop('cancel');
  assert.equal(stop.reason, 'cancel');
});
