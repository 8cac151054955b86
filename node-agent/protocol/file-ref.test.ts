import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { describeFile } from './file-ref.js';

describe('describeFile', () => {
  let dir: string;
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'farmhand-file-ref-'));
  });
  after(() => rm(dir, { recursive: true, force: true }));

  // Sizes around the 1 MiB read buffer: empty, one byte, exactly one read, one byte over, several reads.
  for (const size of [0, 1, 1024 * 1024, 1024 * 1024 + 1, 3.5 * 1024 * 1024]) {
    test(`${size} bytes: the sha256 and size of the whole file`, async () => {
      const bytes = randomBytes(size);
      const path = join(dir, `f-${size}`);
      await writeFile(path, bytes);
      assert.deepEqual(await describeFile(path, 'name.bin'), { sha256: createHash('sha256').update(bytes).digest('hex'), size, name: 'name.bin' });
    });
  }

  test('a missing file rejects with the path', async () => {
    await assert.rejects(describeFile(join(dir, 'missing'), 'x'), /ENOENT.*missing/);
  });
});
