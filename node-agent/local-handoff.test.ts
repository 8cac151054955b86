import assert from 'node:assert/strict';
import { mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { InputCache } from './input-cache.js';
import { createLocalHandoff } from './local-handoff.js';
import { OutputHold } from './output-hold.js';
import { describeFile } from './protocol/index.js';

// The controller in the agent's own process hands it inputs on disk. The cache's promise
// (only files whose hash was checked, never a partial one) holds for them as for sent files.

let dir: string;
let cache: InputCache;
let hold: OutputHold;

before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'fh-handoff-'));
  cache = new InputCache(join(dir, 'agent'));
  hold = new OutputHold(join(dir, 'agent'));
  await Promise.all([cache.init(), hold.init()]);
});

after(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
});

test('a handed-over input wakes the task waiting for it, with the same bytes, checked', async () => {
  const source = join(dir, 'chunk.nut');
  await writeFile(source, 'chunk bytes '.repeat(1000));
  const ref = await describeFile(source, 'chunk.nut');
  const handoff = createLocalHandoff('local', cache, hold);
  let requested = 0;
  const waiting = cache.obtain(ref.sha256, ref.size, () => requested++);
  await handoff.receiveInput(source, ref);
  const path = await waiting;
  assert.equal(requested, 1);
  assert.equal(await readFile(path, 'utf8'), await readFile(source, 'utf8'));
  assert.equal(path, cache.pathOf(ref.sha256));
});

test('a file that changed since it was described is refused: the waiting task fails with why, and the cache gets nothing', async () => {
  const source = join(dir, 'audio.m4a');
  await writeFile(source, 'first version');
  const ref = await describeFile(source, 'audio.m4a');
  await writeFile(source, 'other version');
  const handoff = createLocalHandoff('local', cache, hold);
  const waiting = cache.obtain(ref.sha256, ref.size, () => undefined);
  await assert.rejects(handoff.receiveInput(source, ref), /changed on disk since the job was submitted/);
  await assert.rejects(waiting, /changed on disk/);
  await assert.rejects(stat(cache.pathOf(ref.sha256)), { code: 'ENOENT' });
  assert.deepEqual(await readdir(join(dir, 'agent', 'inputs', 'tmp')), [], 'no partial file left behind');
});

test('a held output is found by its task attempt, name and hash, and nothing else', async () => {
  const work = join(dir, 'work-out.mp4');
  await writeFile(work, 'joined video');
  const ref = await describeFile(work, 'out.mp4');
  await hold.hold({ taskId: 'job1:join', attempt: 2, jobId: 'job1' }, [{ path: work, ref }]);
  const handoff = createLocalHandoff('local', cache, hold);
  const path = handoff.heldOutput('job1:join', 2, ref);
  assert.ok(path);
  assert.equal(await readFile(path, 'utf8'), 'joined video');
  assert.equal(handoff.heldOutput('job1:join', 1, ref), null, 'another attempt');
  assert.equal(handoff.heldOutput('job1:join', 2, { ...ref, sha256: '0'.repeat(64) }), null, 'another hash');
});
