import assert from 'node:assert/strict';
import { statfs } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { test } from 'node:test';
import { cacheLimitBytes, CacheLimitError, DEFAULT_CACHE_LIMIT, parseCacheLimit } from './cache-limit.js';

test('a cache limit is bytes with a unit or a share of the disk', async () => {
  assert.deepEqual(parseCacheLimit('500MB'), { bytes: 500_000_000 });
  assert.deepEqual(parseCacheLimit('20 GB'), { bytes: 20_000_000_000 });
  assert.deepEqual(parseCacheLimit('1.5tb'), { bytes: 1_500_000_000_000 });
  assert.deepEqual(parseCacheLimit('2GiB'), { bytes: 2 * 1024 ** 3 });
  assert.deepEqual(parseCacheLimit('123456'), { bytes: 123456 });
  assert.deepEqual(parseCacheLimit('25%'), { fraction: 0.25 });
  for (const bad of ['', 'lots', '0', '0%', '150%', '-5GB', '5XB']) {
    assert.throws(() => parseCacheLimit(bad), { name: 'Error', message: `The cache limit "${bad}" is not a size; give bytes with a unit (e.g. 50GB, 500MB) or a share of the disk (e.g. 25%).` });
    assert.throws(() => parseCacheLimit(bad), CacheLimitError);
  }
  const fs = await statfs(tmpdir());
  assert.equal(await cacheLimitBytes(DEFAULT_CACHE_LIMIT, tmpdir()), Math.floor(fs.blocks * fs.bsize * 0.25));
  assert.equal(await cacheLimitBytes({ bytes: 42 }, tmpdir()), 42);
});
