import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { OutputHold } from './output-hold.js';

const sha = 'c'.repeat(64);

test('a task without outputs is held in memory until acknowledged, with nothing on disk', async () => {
  const dataDir = await mkdtemp(join(tmpdir(), 'farmhand-hold-'));
  try {
    const hold = new OutputHold(dataDir);
    await hold.init();
    const held = await hold.hold({ taskId: 'j.1', attempt: 1, jobId: 'j' }, []);
    assert.deepEqual(held, { taskId: 'j.1', attempt: 1, jobId: 'j', outputs: [] });
    assert.deepEqual(hold.list(), [held], 'listed in the hello until the controller acknowledges it');
    assert.deepEqual(await readdir(join(dataDir, 'held')), [], 'no folder or manifest per task');
    await hold.release('j.1', 1);
    assert.deepEqual(hold.list(), []);
  } finally {
    await rm(dataDir, { recursive: true, force: true });
  }
});

test('a task with outputs is held on disk, survives a restart, and is removed on release', async () => {
  const dataDir = await mkdtemp(join(tmpdir(), 'farmhand-hold-'));
  try {
    const work = join(dataDir, 'work');
    await mkdir(work, { recursive: true });
    await writeFile(join(work, 'f_0001.png'), 'png');
    const hold = new OutputHold(dataDir);
    await hold.init();
    await hold.hold({ taskId: 'j:2', attempt: 3, jobId: 'j' }, [{ path: join(work, 'f_0001.png'), ref: { sha256: sha, size: 3, name: 'f_0001.png' } }]);
    const folder = join(dataDir, 'held', 'j_2__3');
    assert.ok(existsSync(join(folder, 'manifest.json')));

    const restarted = new OutputHold(dataDir);
    await restarted.init();
    assert.equal(restarted.list().length, 1);
    assert.equal(restarted.get('j:2', 3)!.pathOf({ sha256: sha, size: 3, name: 'f_0001.png' }), join(folder, 'f_0001.png'));
    await restarted.release('j:2', 3);
    assert.equal(existsSync(folder), false);
  } finally {
    await rm(dataDir, { recursive: true, force: true });
  }
});

test('a File Output pass is held under its relative name, folders and all', async () => {
  const dataDir = await mkdtemp(join(tmpdir(), 'farmhand-hold-'));
  try {
    const work = join(dataDir, 'work');
    await mkdir(join(work, 'passes', 'comp'), { recursive: true });
    await writeFile(join(work, 'passes', 'comp', 'fg_0001.png'), 'png');
    const hold = new OutputHold(dataDir);
    await hold.init();
    const ref = { sha256: sha, size: 3, name: 'passes/comp/fg_0001.png' };
    await hold.hold({ taskId: 'j.1', attempt: 1, jobId: 'j' }, [{ path: join(work, 'passes', 'comp', 'fg_0001.png'), ref }]);
    const path = hold.get('j.1', 1)!.pathOf(ref);
    assert.equal(path, join(dataDir, 'held', 'j.1__1', 'passes', 'comp', 'fg_0001.png'));
    assert.ok(existsSync(path));
    await hold.release('j.1', 1);
    assert.equal(existsSync(join(dataDir, 'held', 'j.1__1')), false);
  } finally {
    await rm(dataDir, { recursive: true, force: true });
  }
});
