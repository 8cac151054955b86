import assert from 'node:assert/strict';
import { chmod, mkdtemp, rm, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { ToolVersionCache } from './tool-version-cache.js';

describe('ToolVersionCache', () => {
  let dir: string;
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'fh-toolcache-'));
  });
  after(() => rm(dir, { recursive: true, force: true }));

  test('a version is remembered across instances while the executable is unchanged', async () => {
    const tool = join(dir, 'tool');
    await writeFile(tool, '#!/bin/sh\necho 1\n');
    await chmod(tool, 0o755);
    const file = join(dir, 'cache.json');
    const first = new ToolVersionCache(file);
    assert.equal(first.get(tool), null);
    first.set(tool, '3.4.1');
    first.save();
    assert.equal(new ToolVersionCache(file).get(tool), '3.4.1');
  });

  test('a changed executable (content or time) is probed again', async () => {
    const tool = join(dir, 'tool2');
    await writeFile(tool, 'v1');
    const file = join(dir, 'cache2.json');
    const cache = new ToolVersionCache(file);
    cache.set(tool, '1.0');
    cache.save();
    await writeFile(tool, 'version two');
    assert.equal(new ToolVersionCache(file).get(tool), null, 'size changed');
    const again = new ToolVersionCache(file);
    again.set(tool, '2.0');
    again.save();
    await utimes(tool, new Date(), new Date(Date.now() + 5000));
    assert.equal(new ToolVersionCache(file).get(tool), null, 'mtime changed');
  });

  test('an unreadable cache file or a missing executable is no answer, not an error', async () => {
    const file = join(dir, 'broken.json');
    await writeFile(file, '{not json');
    const cache = new ToolVersionCache(file);
    assert.equal(cache.get(join(dir, 'absent')), null);
    cache.set(join(dir, 'absent'), '9');
    cache.save();
  });
});
