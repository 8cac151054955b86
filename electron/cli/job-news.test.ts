import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { JobSummary } from '../controller/api/contract.js';
import { JobNews } from './job-news.js';

const job = (over: Partial<JobSummary>): JobSummary => ({
  id: 'j', name: 'shot.blend', type: 'blender', priority: 50, createdAt: 0, state: 'queued', taskCount: 2, succeededCount: 0, failedCount: 0, runningCount: 0, failure: null, ...over,
});
const REASON = 'no agent has Blender ≥ 4.1 for shot.blend (saved by 4.1).';

test('the waiting reason is said once when it comes and again only after the job ran; the controller\'s same notice is not repeated', () => {
  const lines: string[] = [];
  const notices: string[] = [];
  const news = new JobNews((line) => lines.push(line));
  news.known(job({}));
  news.seen(job({ waitingReason: REASON }));
  news.seen(job({ waitingReason: REASON }));
  news.notice(`Job "shot.blend" is waiting: ${REASON}`, (t) => notices.push(t));
  news.notice('Agent box was lost.', (t) => notices.push(t));
  news.notice('Agent box was lost.', (t) => notices.push(t));
  assert.deepEqual(lines, [`Job "shot.blend" is waiting: ${REASON}`]);
  assert.deepEqual(notices, ['Agent box was lost.', 'Agent box was lost.'], 'other notices pass, each time');
  news.seen(job({ state: 'running' }));
  news.notice(`Job "shot.blend" is waiting: ${REASON}`, (t) => notices.push(t));
  news.seen(job({ waitingReason: REASON }));
  assert.equal(notices.at(-1), `Job "shot.blend" is waiting: ${REASON}`, 'after running, the notice came first this time');
  assert.equal(lines.length, 1, 'and the job event did not say it again');
});

test('warnings the job gains while followed are said once; those it had when first seen are not', () => {
  const lines: string[] = [];
  const news = new JobNews((line) => lines.push(line));
  news.known(job({ warnings: ['from submit'] }));
  news.seen(job({ warnings: ['from submit'] }));
  news.seen(job({ warnings: ['from submit', 'rendered on the CPU'] }));
  news.seen(job({ warnings: ['from submit', 'rendered on the CPU'] }));
  assert.deepEqual(lines, ['Warning: rendered on the CPU']);
});
