import assert from 'node:assert/strict';
import { afterEach, beforeEach, mock, test } from 'node:test';
import { ApiEventBatcher } from './api-event-batcher.js';
import type { ApiEvent, JobSummary, TaskView } from './contract.js';

const job = (id: string, state: JobSummary['state'] = 'running'): ApiEvent => ({
  kind: 'job',
  job: { id, name: id, type: 'blender', priority: 50, createdAt: 0, state, taskCount: 1, succeededCount: 0, failedCount: 0, runningCount: 1, failure: null },
});
const task = (id: string, progress: number): ApiEvent => ({
  kind: 'task',
  task: { id, jobId: 'j1', index: 0, label: id, type: 'blender', state: 'running', attempt: 1, failures: 0, agentId: 'a1', progress, outputs: [], error: null, startedAt: 0, endedAt: null } satisfies TaskView,
});
const notice = (text: string): ApiEvent => ({ kind: 'notice', level: 'info', text });

beforeEach(() => mock.timers.enable({ apis: ['setTimeout', 'Date'], now: 1_000_000 }));
afterEach(() => mock.timers.reset());

test('a burst becomes one batch with the latest state per job, task and agent', () => {
  const batches: ApiEvent[][] = [];
  const batcher = new ApiEventBatcher({ intervalMs: 100, onBatch: (b) => batches.push(b) });
  for (let p = 0; p <= 1000; p++) batcher.push(task('t1', p / 1000));
  batcher.push(task('t2', 0.5));
  batcher.push(job('j1', 'running'));
  batcher.push(job('j1', 'succeeded'));
  batcher.push(notice('agent a lost'));
  batcher.push(notice('agent a back'));
  assert.equal(batches.length, 0, 'nothing is sent synchronously');
  mock.timers.tick(0);
  assert.equal(batches.length, 1);
  const [batch] = batches;
  assert.equal(batch!.length, 5);
  assert.deepEqual(batch!.filter((e) => e.kind === 'task').map((e) => e.kind === 'task' && [e.task.id, e.task.progress]), [['t1', 1], ['t2', 0.5]]);
  assert.deepEqual(batch!.filter((e) => e.kind === 'job').map((e) => e.kind === 'job' && e.job.state), ['succeeded']);
  assert.deepEqual(batch!.filter((e) => e.kind === 'notice').map((e) => e.kind === 'notice' && e.text), ['agent a lost', 'agent a back'], 'every notice is kept, in order');
});

test('a deleted job replaces its pending update', () => {
  const batches: ApiEvent[][] = [];
  const batcher = new ApiEventBatcher({ onBatch: (b) => batches.push(b) });
  batcher.push(job('j1'));
  batcher.push({ kind: 'job.deleted', jobId: 'j1' });
  mock.timers.tick(0);
  assert.deepEqual(batches, [[{ kind: 'job.deleted', jobId: 'j1' }]]);
});

test('batches go out at most once per interval however fast events come', () => {
  const sentAt: number[] = [];
  const batcher = new ApiEventBatcher({ intervalMs: 100, onBatch: () => sentAt.push(Date.now()) });
  // One second of a busy farm: an update every millisecond.
  for (let ms = 0; ms < 1000; ms++) {
    batcher.push(task(`t${ms % 7}`, ms / 1000));
    mock.timers.tick(1);
  }
  mock.timers.tick(100);
  assert.ok(sentAt.length >= 9 && sentAt.length <= 11, `${sentAt.length} batches`);
  for (let i = 1; i < sentAt.length; i++) assert.ok(sentAt[i]! - sentAt[i - 1]! >= 100, `batches ${sentAt[i - 1]} and ${sentAt[i]} are too close`);
});

test('after a quiet spell the first event goes out at once, not an interval later', () => {
  const sentAt: number[] = [];
  const batcher = new ApiEventBatcher({ intervalMs: 100, onBatch: () => sentAt.push(Date.now()) });
  batcher.push(job('j1'));
  mock.timers.tick(0);
  mock.timers.tick(5000);
  const start = Date.now();
  batcher.push(job('j1', 'succeeded'));
  mock.timers.tick(0);
  assert.deepEqual(sentAt.slice(1), [start]);
});

test('notices are bounded per batch and the overflow is counted', () => {
  const batches: ApiEvent[][] = [];
  const batcher = new ApiEventBatcher({ maxNotices: 3, onBatch: (b) => batches.push(b) });
  for (let i = 0; i < 10; i++) batcher.push(notice(`n${i}`));
  mock.timers.tick(0);
  const texts = batches[0]!.map((e) => (e.kind === 'notice' ? e.text : ''));
  assert.deepEqual(texts.slice(0, 3), ['n0', 'n1', 'n2']);
  assert.equal(texts.length, 4);
  assert.match(texts[3]!, /^7 more notice\(s\) were left out/);
  batcher.push(notice('later'));
  mock.timers.tick(100);
  assert.deepEqual(batches[1]!.map((e) => e.kind === 'notice' && e.text), ['later'], 'the count starts over');
});

test('a batch with too many distinct things goes out early instead of growing', () => {
  const sizes: number[] = [];
  const batcher = new ApiEventBatcher({ maxEvents: 100, onBatch: (b) => sizes.push(b.length) });
  for (let i = 0; i < 250; i++) batcher.push(task(`t${i}`, 0));
  mock.timers.tick(100);
  assert.deepEqual(sizes, [100, 100, 50]);
});

test('close drops what is pending and ignores later events', () => {
  const batches: ApiEvent[][] = [];
  const batcher = new ApiEventBatcher({ onBatch: (b) => batches.push(b) });
  batcher.push(job('j1'));
  batcher.close();
  batcher.push(job('j2'));
  mock.timers.tick(1000);
  assert.equal(batches.length, 0);
});
