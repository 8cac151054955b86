import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir, mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CoalescedWriter } from './coalesced-writer.js';
import { WriteTurns } from './write-turns.js';

/** A temp folder, removed when the test ends. */
async function dataDir(t: { after(fn: () => Promise<void>): void }): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'farmhand-writer-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  return dir;
}

const readJson = async (file: string): Promise<unknown> => JSON.parse(await readFile(file, 'utf8'));
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

test('writer: changes made while a write is in flight cause exactly one more write', async (t) => {
  const dir = await dataDir(t);
  const value = { n: 0 };
  let snapshots = 0;
  let writes = 0;
  let markedWhileWriting = false;
  const writer: CoalescedWriter<{ n: number }> = new CoalescedWriter(join(dir, 'doc.json'), () => {
    snapshots++;
    if (snapshots === 1) {
      setImmediate(() => {
        markedWhileWriting = writer.writing;
        for (let i = 0; i < 100; i++) {
          value.n++;
          writer.markDirty();
        }
      });
    }
    return value;
  }, { delayMs: 0, onWrite: () => writes++ });
  writer.markDirty();
  await sleep(50);
  await writer.flush();
  assert.equal(markedWhileWriting, true, 'the marks should land while the first write is in flight');
  assert.equal(writes, 2);
  assert.equal(snapshots, 2);
  assert.deepEqual(await readJson(join(dir, 'doc.json')), { n: 100 });
  assert.equal(writer.dirty, false);
  await writer.close();
});

test('writer: a failed write is reported through onError, never thrown, and retried on flush', async (t) => {
  const dir = await dataDir(t);
  const folder = join(dir, 'gone');
  const errors: Error[] = [];
  const writer = new CoalescedWriter(join(folder, 'doc.json'), () => ({ ok: true }), { delayMs: 0, onError: (e) => errors.push(e) });
  writer.markDirty(); // the folder does not exist yet: the write fails
  await sleep(30);
  assert.equal(errors.length, 1);
  assert.match(errors[0]!.message, /Could not write .*doc\.json/);
  assert.equal(writer.dirty, true);
  await assert.rejects(writer.flush(), /Could not write/); // still failing: flush says so
  await mkdir(folder);
  await writer.flush(); // the retry succeeds
  assert.deepEqual(await readJson(join(folder, 'doc.json')), { ok: true });
  assert.equal(writer.dirty, false);
  await writer.close();
});

test('writer: a document slow to serialise is written less often (busyShare), and flush does not wait for that', async (t) => {
  const dir = await dataDir(t);
  let writes = 0;
  const slow = () => {
    const until = performance.now() + 3; // 3 ms of "stringify" → at 1% share, 300 ms until the next write
    while (performance.now() < until);
    return { writes };
  };
  const writer = new CoalescedWriter(join(dir, 'doc.json'), slow, { delayMs: 0, busyShare: 0.01, onWrite: () => writes++ });
  writer.markDirty();
  await writer.flush();
  writer.markDirty();
  await sleep(60);
  assert.equal(writes, 1, 'the second write should still be held back');
  assert.equal(writer.dirty, true);
  await writer.flush();
  assert.equal(writes, 2);
  await writer.close();
});

test('writer: whenWritten resolves only once the change is in the file, and adds no write', async (t) => {
  const dir = await dataDir(t);
  const file = join(dir, 'doc.json');
  const value = { n: 0 };
  let writes = 0;
  const writer = new CoalescedWriter(file, () => value, { delayMs: 400, onWrite: () => writes++ });
  assert.equal(await Promise.race([writer.whenWritten().then(() => 'resolved'), sleep(5).then(() => 'pending')]), 'resolved', 'nothing marked: at once');
  const seen: number[] = [];
  for (let i = 1; i <= 50; i++) {
    value.n = i;
    writer.markDirty();
    const expected = i;
    void writer.whenWritten().then(async () => seen.push(((await readJson(file)) as { n: number }).n >= expected ? 1 : 0));
  }
  await sleep(30);
  assert.deepEqual(seen, [], 'nothing may resolve before the delayed write');
  await assert.rejects(readFile(file), /ENOENT/);
  for (let i = 0; i < 300 && seen.length < 50; i++) await sleep(10);
  assert.equal(seen.length, 50);
  assert.ok(seen.every((ok) => ok === 1), 'every waiter found its change on disk');
  assert.equal(writes, 1, 'the waiters rode on the one coalesced write');
  await writer.close();
});

test('writer: whenWritten rejects when the write fails or the writer is stopped first', async (t) => {
  const dir = await dataDir(t);
  const failing = new CoalescedWriter(join(dir, 'missing-folder', 'doc.json'), () => ({}), { delayMs: 0, onError: () => undefined });
  failing.markDirty();
  await assert.rejects(failing.whenWritten(), /Could not write .*doc\.json/);
  failing.stop();
  const stopped = new CoalescedWriter(join(dir, 'doc.json'), () => ({}), { delayMs: 60_000 });
  stopped.markDirty();
  const waiting = stopped.whenWritten();
  stopped.stop();
  await assert.rejects(waiting, /stopped before the change was saved/);
});

test('turns: many dirty writers sharing a gate each serialise in an event-loop turn of their own', async (t) => {
  const dir = await dataDir(t);
  const turns = new WriteTurns(1); // no pacing: only the one-start-per-turn rule is tested
  let loopTurn = 0;
  let ticking = true;
  const tick = () => {
    loopTurn++;
    if (ticking) setImmediate(tick);
  };
  setImmediate(tick);
  const startedIn: number[] = [];
  const writers = Array.from({ length: 20 }, (_, i) => new CoalescedWriter(join(dir, `page-${i}.json`), () => {
    startedIn.push(loopTurn);
    return { i };
  }, { delayMs: 5, turns }));
  for (const writer of writers) writer.markDirty(); // all due in the same timers phase
  await Promise.all(writers.map((writer) => writer.whenWritten()));
  ticking = false;
  assert.equal(startedIn.length, 20);
  assert.equal(new Set(startedIn).size, 20, `several serialisations shared a turn: ${startedIn.join(',')}`);
  await Promise.all(writers.map(async (writer, i) => assert.deepEqual(await readJson(writer.file), { i })));
});

test('turns: the writers of one gate together keep to its share of the main thread', async (t) => {
  const dir = await dataDir(t);
  const turns = new WriteTurns(0.25);
  const slow = (i: number) => () => {
    const until = performance.now() + 4;
    while (performance.now() < until);
    return { i };
  };
  const writers = Array.from({ length: 10 }, (_, i) => new CoalescedWriter(join(dir, `page-${i}.json`), slow(i), { delayMs: 0, turns }));
  const started = performance.now();
  for (const writer of writers) writer.markDirty();
  await Promise.all(writers.map((writer) => writer.whenWritten()));
  const elapsed = performance.now() - started;
  // 10 × 4 ms of work at a 25% share: the last start comes ≥ 9 × 16 ms after the first.
  assert.ok(elapsed >= 140, `10 slow writes finished in ${elapsed.toFixed(0)} ms: the gate did not pace them`);
  const flushStarted = performance.now();
  for (const writer of writers) writer.markDirty();
  await Promise.all(writers.map((writer) => writer.flush()));
  assert.ok(performance.now() - flushStarted < 120, 'a flush is not paced');
});
