import assert from 'node:assert/strict';
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { tempFileFor, writeFileAtomic } from './atomic-write.js';

test('a write replaces the file whole; a failed one keeps the last good copy and leaves no temp file', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'farmhand-atomic-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  const file = join(dir, 'doc.json');
  await writeFileAtomic(file, '{"v":1}');
  await writeFileAtomic(file, '{"v":2}');
  assert.equal(await readFile(file, 'utf8'), '{"v":2}');
  assert.deepEqual(await readdir(dir), ['doc.json']);

  // The rename cannot replace a folder: the temp file was written whole and must go again.
  const blocked = join(dir, 'blocked.json');
  await mkdir(blocked);
  await writeFile(join(blocked, 'inside'), 'x');
  await assert.rejects(writeFileAtomic(blocked, '{"v":3}'));
  assert.deepEqual((await readdir(dir)).sort(), ['blocked.json', 'doc.json']);
  assert.equal(tempFileFor(file), join(dir, '.doc.json.tmp'));
});
