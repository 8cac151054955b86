import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { TaskWorkDir } from './task-work-dir.js';

test('the folder exists only once a runner asks for it, and is removed with its files', async () => {
  const root = await mkdtemp(join(tmpdir(), 'farmhand-workdir-'));
  try {
    const dir = new TaskWorkDir(root, 'job1:7', 2);
    assert.equal(dir.path, join(root, 'job1_7__2'));
    assert.equal(dir.created, false);
    assert.equal(existsSync(dir.path), false, 'nothing is made for a task that writes no files');
    assert.equal(await dir.ensure(), dir.path);
    assert.equal(await dir.ensure(), dir.path, 'asking twice is fine');
    await writeFile(join(dir.path, 'out.bin'), 'x');
    await dir.remove();
    assert.equal(existsSync(dir.path), false);
  } finally {
    await rm(root, { recursive: true, force: true });
  }
});

test('removing a folder that was never made does nothing', async () => {
  const dir = new TaskWorkDir('/nonexistent-farmhand-root', 'a', 1);
  await dir.remove();
  assert.equal(dir.created, false);
});
