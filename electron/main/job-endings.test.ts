import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { JobState, JobSummary } from '../controller/api/contract.js';
import { JobEndWatch, jobNotice } from './job-endings.js';

const job = (id: string, state: JobState, o: Partial<JobSummary> = {}): JobSummary => ({
  id, name: `shot ${id}`, type: 'blender', priority: 50, createdAt: 1, state, taskCount: 4, succeededCount: 0, failedCount: 0, runningCount: 0, failure: null, ...o,
});

test('T: running > succeeded --> one notice; repeats, cancels and old endings stay quiet', () => {
  const watch = new JobEndWatch();
  watch.prime([job('old', 'succeeded'), job('a', 'running'), job('c', 'queued')]);
  assert.equal(watch.update(job('old', 'succeeded')), null, 'ended before the app started');
  assert.equal(watch.update(job('a', 'running')), null);
  assert.equal(watch.update(job('a', 'succeeded')), 'succeeded');
  assert.equal(watch.update(job('a', 'succeeded')), null, 'said once');
  assert.equal(watch.update(job('c', 'canceled')), null, 'the user canceled it');
  assert.equal(watch.update(job('a', 'running')), null, 'retried');
  assert.equal(watch.update(job('a', 'failed')), 'failed', 'a retried job that ends is news again');
  assert.equal(watch.update(job('new', 'failed')), 'failed', 'a new job that failed at once');
  watch.forget('a');
  assert.equal(watch.update(job('a', 'paused')), null);
});

test('notices: success offers the output folder, failure says why and offers requeue', () => {
  const ok = jobNotice(job('a', 'succeeded', { taskCount: 1 }), 'succeeded');
  assert.equal(ok.title, 'Done: shot a');
  assert.match(ok.body, /All 1 task succeeded/);
  assert.deepEqual(ok.actions.map((a) => a.action), ['open-output']);
  const failed = jobNotice(job('b', 'failed', { failedCount: 2 }), 'failed');
  assert.equal(failed.body, '2 of 4 tasks failed. Requeue the failed tasks to try again.');
  assert.deepEqual(failed.actions.map((a) => a.action), ['requeue-failed']);
  assert.match(jobNotice(job('c', 'failed', { failure: 'The scene file is not a .blend.' }), 'failed').body, /^The scene file is not a \.blend\. Requeue/);
});
