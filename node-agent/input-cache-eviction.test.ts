import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { utimes, writeFile } from 'node:fs/promises';
import { test } from 'node:test';
import { makeScratchDir } from '../test/helpers/scratch.js';
import { chooseEvictions, InputCache } from './input-cache.js';

const sha = (text: string) => createHash('sha256').update(text).digest('hex');

test('eviction takes the least recently used first, skips what must be kept, and stops once under the limit', () => {
  const entries = [
    { sha256: 'new', size: 40, lastUse: 300 },
    { sha256: 'old', size: 40, lastUse: 100 },
    { sha256: 'pinned-oldest', size: 40, lastUse: 50 },
    { sha256: 'middle', size: 40, lastUse: 200 },
  ];
  assert.deepEqual(chooseEvictions(entries, 100, (s) => s === 'pinned-oldest'), ['old', 'middle']);
  assert.deepEqual(chooseEvictions(entries, 160, () => false), []);
  assert.deepEqual(chooseEvictions(entries, 0, () => true), [], 'nothing a task needs goes, even over the limit');
});

async function put(cache: InputCache, text: string): Promise<string> {
  const temp = cache.tempPath();
  await writeFile(temp, text);
  await cache.commit(temp, sha(text));
  await cache.evict();
  return sha(text);
}

test('the cache keeps to its limit on disk, never deleting a pinned file or one a live workspace links to', async () => {
  const { dir, cleanup } = await makeScratchDir('farmhand-cache-evict');
  try {
    let live = new Set<string>();
    const cache = new InputCache(dir, 250);
    cache.keepLive(() => live);
    await cache.init();
    const a = await put(cache, 'a'.repeat(100));
    const b = await put(cache, 'b'.repeat(100));
    assert.equal(await cache.has(a, 100), true, 'a used again: now b is the least recent');
    const unpinC = cache.pin([sha('c'.repeat(100))]);
    const c = await put(cache, 'c'.repeat(100));
    assert.equal(existsSync(cache.pathOf(b)), false, 'b went first');
    assert.equal(existsSync(cache.pathOf(a)), true);
    assert.equal(cache.totalBytes, 200);

    live = new Set([a]);
    const unpinD = cache.pin([sha('d'.repeat(100))]); // as a task does before asking for its inputs
    const d = await put(cache, 'd'.repeat(100));
    assert.equal(existsSync(cache.pathOf(a)), true, 'a is linked by a live workspace');
    assert.equal(existsSync(cache.pathOf(c)), true, 'c is pinned by a running task');
    assert.equal(existsSync(cache.pathOf(d)), true, 'd is pinned by the task that asked for it');
    assert.equal(cache.totalBytes, 300, 'over the limit rather than evicting what is needed');

    unpinC();
    unpinD();
    live = new Set();
    await cache.evict();
    assert.equal(existsSync(cache.pathOf(a)), false, 'a (least recent) went once nothing needed it');
    assert.equal(existsSync(cache.pathOf(c)), true);
    assert.equal(existsSync(cache.pathOf(d)), true);
    assert.equal(cache.totalBytes, 200);

    // Recency survives a restart (mtime): the older of c and d goes when a smaller limit starts.
    await utimes(cache.pathOf(d), new Date(1000), new Date(1000));
    const restarted = new InputCache(dir, 150);
    await restarted.init();
    assert.equal(existsSync(cache.pathOf(d)), false);
    assert.equal(existsSync(cache.pathOf(c)), true);
  } finally {
    await cleanup();
  }
});
