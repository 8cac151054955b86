import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { TaskLogs } from './task-logs.js';

// A log viewer following a running task asks only for the lines after the ones it has; line
// numbers count everything the attempt printed, even once early lines were cut by the cap.

const lines = (from: number, to: number) => Array.from({ length: to - from }, (_, i) => `line ${from + i}`);

test('readFrom gives the lines from a line number on, with where they start and how many there are', async () => {
  const logs = new TaskLogs(null);
  logs.append('job.t0', 1, lines(0, 5));
  assert.deepEqual(await logs.readFrom('job.t0', 1), { lines: lines(0, 5), firstLine: 0, totalLines: 5 });
  assert.deepEqual(await logs.readFrom('job.t0', 1, 3), { lines: lines(3, 5), firstLine: 3, totalLines: 5 });
  assert.deepEqual(await logs.readFrom('job.t0', 1, 5), { lines: [], firstLine: 5, totalLines: 5 });
  logs.append('job.t0', 1, lines(5, 7));
  assert.deepEqual(await logs.readFrom('job.t0', 1, 5), { lines: lines(5, 7), firstLine: 5, totalLines: 7 });
  // A number past the end (the numbering restarted, e.g. after a controller restart) gets the whole log.
  assert.deepEqual(await logs.readFrom('job.t0', 1, 99), { lines: lines(0, 7), firstLine: 0, totalLines: 7 });
  assert.deepEqual(await logs.readFrom('job.t0', 2, 0), { lines: [], firstLine: 0, totalLines: 0 });
});

test('once the cap cuts early lines, numbers still count from the first line printed and the answer says where it starts', async () => {
  const logs = new TaskLogs(null);
  logs.append('job.t1', 1, lines(0, 1500));
  logs.append('job.t1', 1, lines(1500, 2600));
  const all = await logs.readFrom('job.t1', 1);
  assert.equal(all.totalLines, 2600);
  assert.equal(all.firstLine, 600);
  assert.equal(all.lines[0], 'line 600');
  assert.equal(all.lines.length, 2000);
  const gap = await logs.readFrom('job.t1', 1, 100);
  assert.equal(gap.firstLine, 600, 'lines 100–599 are gone: the answer starts where the log now starts');
  const tail = await logs.readFrom('job.t1', 1, 2590);
  assert.deepEqual(tail, { lines: lines(2590, 2600), firstLine: 2590, totalLines: 2600 });
  assert.equal((await logs.read('job.t1', 1)).length, 2000, 'read() still gives every kept line');
});

test('a log read back from disk numbers its lines from the first one kept', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'fh-logs-'));
  try {
    const logs = new TaskLogs(dir);
    logs.append('job.t2', 1, lines(0, 3));
    await logs.flush();
    const fresh = new TaskLogs(dir);
    assert.deepEqual(await fresh.readFrom('job.t2', 1, 1), { lines: lines(1, 3), firstLine: 1, totalLines: 3 });
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
