import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { appendFile, mkdir, mkdtemp, readFile, rm, stat, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import { makeScratchDir } from '../test/helpers/scratch.js';
import { JobWorkspaces, WorkspacePathError } from './job-workspace.js';

const A = 'a'.repeat(64);
const B = 'b'.repeat(64);
const C = 'c'.repeat(64);

async function setup() {
  const scratch = await makeScratchDir('farmhand-workspace');
  const cache = join(scratch.dir, 'inputs');
  await mkdir(cache, { recursive: true });
  await writeFile(join(cache, A), 'scene');
  await writeFile(join(cache, B), 'texture');
  await writeFile(join(cache, C), 'library');
  const src = (sha: string) => join(cache, sha);
  return { ...scratch, src, root: join(scratch.dir, 'workspaces') };
}

test('the scene keeps its real name and every file its place, as hard links into the cache', async () => {
  const s = await setup();
  try {
    const spaces = new JobWorkspaces(s.root);
    await spaces.init();
    const lease = await spaces.acquire('job:1', 'shots/shot010.blend', [
      { path: 'shots/shot010.blend', sha256: A, source: s.src(A) },
      { path: 'shots/textures/wood.png', sha256: B, source: s.src(B) },
      { path: 'lib/props.blend', sha256: C, source: s.src(C) },
    ]);
    assert.equal(lease.scenePath, join(lease.root, 'shots/shot010.blend'));
    assert.equal(await readFile(lease.scenePath, 'utf8'), 'scene');
    assert.equal(await readFile(join(lease.root, 'shots/textures/wood.png'), 'utf8'), 'texture');
    assert.equal(await readFile(join(lease.root, 'lib/props.blend'), 'utf8'), 'library');
    assert.equal((await stat(join(lease.root, 'shots/textures/wood.png'))).ino, (await stat(s.src(B))).ino, 'a hard link, not a copy');
    assert.deepEqual([...spaces.liveHashes()].sort(), [A, B, C]);
    lease.release();
  } finally {
    await s.cleanup();
  }
});

test('paths that could leave the workspace are refused before anything is placed', async () => {
  const s = await setup();
  try {
    const spaces = new JobWorkspaces(s.root);
    await spaces.init();
    for (const bad of ['../escape.png', '/etc/passwd', 'a/../../x', 'C:/x.png', 'a\\..\\x', 'a//b', '']) {
      await assert.rejects(spaces.acquire('job1', 'scene.blend', [{ path: bad, sha256: B, source: s.src(B) }]), WorkspacePathError, bad);
    }
    await assert.rejects(spaces.acquire('job1', '../scene.blend', []), WorkspacePathError);
    assert.equal(existsSync(join(s.dir, 'escape.png')), false);
    assert.equal(existsSync(join(s.root, 'job1')), false, 'no workspace was made for a refused task');
  } finally {
    await s.cleanup();
  }
});

test('a symbolic link planted in the workspace is not followed', async () => {
  const s = await setup();
  try {
    const spaces = new JobWorkspaces(s.root);
    await spaces.init();
    const lease = await spaces.acquire('job1', 'scene.blend', [{ path: 'scene.blend', sha256: A, source: s.src(A) }]);
    const outside = join(s.dir, 'outside');
    await mkdir(outside);
    await symlink(outside, join(lease.root, 'textures'));
    await assert.rejects(spaces.acquire('job1', 'scene.blend', [{ path: 'textures/wood.png', sha256: B, source: s.src(B) }]),
      { name: 'Error', message: 'The folder of "textures/wood.png" leads outside the workspace (a symbolic link); the file was not placed.' });
    assert.equal(existsSync(join(outside, 'wood.png')), false, 'nothing was written through the link');
    // A symlink at the file's own place is replaced, not written through.
    await symlink(join(outside, 'target.png'), join(lease.root, 'wood.png'));
    await spaces.acquire('job1', 'scene.blend', [{ path: 'wood.png', sha256: B, source: s.src(B) }]);
    assert.equal(existsSync(join(outside, 'target.png')), false);
    assert.equal(await readFile(join(lease.root, 'wood.png'), 'utf8'), 'texture');
    lease.release();
    // Nor is a link planted in place of the workspace folder itself.
    const spaces2 = new JobWorkspaces(s.root);
    await symlink(outside, join(s.root, 'job2'));
    await assert.rejects(spaces2.acquire('job2', 'scene.blend', [{ path: 'scene.blend', sha256: A, source: s.src(A) }]), WorkspacePathError);
    assert.equal(existsSync(join(outside, 'scene.blend')), false);
  } finally {
    await s.cleanup();
  }
});

test('the workspace is shared by the job\'s tasks and removed once the job has been idle', async () => {
  const s = await setup();
  try {
    const spaces = new JobWorkspaces(s.root, 150);
    await spaces.init();
    const files = [{ path: 'shot.blend', sha256: A, source: s.src(A) }, { path: 'tex/wood.png', sha256: B, source: s.src(B) }];
    const [one, two] = await Promise.all([spaces.acquire('job1', 'shot.blend', files), spaces.acquire('job1', 'shot.blend', files)]);
    assert.equal(one.root, two.root);
    one.release();
    await new Promise((r) => setTimeout(r, 300));
    assert.equal(existsSync(two.scenePath), true, 'kept while a task still uses it');
    two.release();
    await new Promise((r) => setTimeout(r, 400));
    assert.equal(existsSync(one.root), false, 'removed after the idle time');
    assert.deepEqual(spaces.jobs(), []);
    assert.equal(spaces.liveHashes().size, 0);
    assert.equal(await readFile(s.src(B), 'utf8'), 'texture', 'the cached file outlives its link');
    const again = await spaces.acquire('job1', 'shot.blend', files);
    assert.equal(await readFile(again.scenePath, 'utf8'), 'scene', 'a later task builds it again');
    again.release();
    await spaces.close();
    assert.equal(existsSync(again.root), false);
  } finally {
    await s.cleanup();
  }
});

test('a file on another file system (no hard link possible) is copied into place', async () => {
  const s = await setup();
  const other = await mkdtemp(join('/dev/shm', 'farmhand-ws-'));
  try {
    assert.notEqual((await stat(other)).dev, (await stat(s.dir)).dev, '/dev/shm is another file system here');
    await writeFile(join(other, B), 'texture');
    const spaces = new JobWorkspaces(s.root);
    await spaces.init();
    const lease = await spaces.acquire('job1', 'scene.blend', [{ path: 'tex/wood.png', sha256: B, source: join(other, B) }]);
    const placed = join(lease.root, 'tex/wood.png');
    assert.equal(await readFile(placed, 'utf8'), 'texture');
    assert.notEqual((await stat(placed)).ino, (await stat(join(other, B))).ino, 'a copy');
    lease.release();
  } finally {
    await rm(other, { recursive: true, force: true });
    await s.cleanup();
  }
});

test('a file marked copy is placed as its own file: a render writing into it leaves the cached file as it was', async () => {
  const s = await setup();
  try {
    const spaces = new JobWorkspaces(s.root);
    await spaces.init();
    const lease = await spaces.acquire('job1', 'shot.blend', [
      { path: 'shot.blend', sha256: A, source: s.src(A) },
      { path: 'blendcache_shot/cache_000001_00.bphys', sha256: C, source: s.src(C), copy: true },
      { path: 'tex/wood.png', sha256: B, source: s.src(B) },
    ]);
    const cached = join(lease.root, 'blendcache_shot/cache_000001_00.bphys');
    assert.notEqual((await stat(cached)).ino, (await stat(s.src(C))).ino, 'a copy, with its own inode');
    assert.equal((await stat(join(lease.root, 'tex/wood.png'))).ino, (await stat(s.src(B))).ino, 'the others stay hard links');
    await writeFile(cached, 'baked again by the render'); // in place, as Blender writes a cache frame
    await appendFile(cached, ' and more');
    assert.equal(await readFile(s.src(C), 'utf8'), 'library', 'the input cache\'s file is untouched');
    assert.equal((await stat(s.src(C))).nlink, 1, 'nothing links to the cached file');
    lease.release();
  } finally {
    await s.cleanup();
  }
});

test('a job that ended loses its workspace at once when no task holds it', async () => {
  const s = await setup();
  try {
    const spaces = new JobWorkspaces(s.root); // idle time: 10 minutes
    await spaces.init();
    const lease = await spaces.acquire('job1', 'shot.blend', [{ path: 'shot.blend', sha256: A, source: s.src(A) }, { path: 'tex/wood.png', sha256: B, source: s.src(B) }]);
    lease.release();
    assert.equal(existsSync(lease.root), true, 'an idle workspace stays until the job ends');
    await spaces.end('job1');
    assert.equal(existsSync(lease.root), false, 'removed when the job ended');
    assert.deepEqual(spaces.jobs(), [], 'the job\'s placed-file list is forgotten');
    assert.equal(spaces.liveHashes().size, 0);
    assert.equal(await readFile(s.src(B), 'utf8'), 'texture', 'the cached file stays');
    await spaces.end('job1'); // a second job.ended, or one for a job never seen here: nothing to do
    await spaces.end('job-never-here');
  } finally {
    await s.cleanup();
  }
});

test('a job that ended while a task holds its workspace loses it when the last lease is released', async () => {
  const s = await setup();
  try {
    const spaces = new JobWorkspaces(s.root);
    await spaces.init();
    const files = [{ path: 'shot.blend', sha256: A, source: s.src(A) }];
    const one = await spaces.acquire('job1', 'shot.blend', files);
    const two = spaces.lease('job1'); // taken when a task starts, before its inputs arrive
    await spaces.end('job1');
    assert.equal(existsSync(one.scenePath), true, 'kept while its tasks hold it');
    one.release();
    await new Promise((r) => setTimeout(r, 50));
    assert.equal(existsSync(one.scenePath), true, 'kept while the second task holds it, though it placed nothing yet');
    const placed = await two.place('shot.blend', files);
    assert.equal(placed.root, one.root);
    two.release();
    // The folder goes first, then the entry (the removal's last step): wait for both, not just the folder.
    await waitFor(() => !existsSync(one.root) && spaces.jobs().length === 0, 'the workspace to go after the last release');
    assert.deepEqual(spaces.jobs(), []);
    // The job requeued: a later task builds the workspace again, and a new end removes it again.
    const again = await spaces.acquire('job1', 'shot.blend', files);
    assert.equal(await readFile(again.scenePath, 'utf8'), 'scene');
    again.release();
    assert.equal(existsSync(again.root), true, 'a requeued job\'s workspace waits for its own end');
    await spaces.end('job1');
    assert.equal(existsSync(again.root), false);
  } finally {
    await s.cleanup();
  }
});

test('a task that starts while the ended job\'s workspace is being removed builds it afresh after the removal', async () => {
  const s = await setup();
  try {
    const spaces = new JobWorkspaces(s.root);
    await spaces.init();
    const files = [{ path: 'shot.blend', sha256: A, source: s.src(A) }, { path: 'tex/wood.png', sha256: B, source: s.src(B) }];
    (await spaces.acquire('job1', 'shot.blend', files)).release();
    const removal = spaces.end('job1');
    const lease = spaces.lease('job1');
    const placed = await lease.place('shot.blend', files);
    await removal;
    assert.equal(await readFile(join(placed.root, 'tex/wood.png'), 'utf8'), 'texture', 'placed after the old one was removed, not removed with it');
    assert.deepEqual(spaces.jobs(), ['job1']);
    lease.release();
    await spaces.close();
  } finally {
    await s.cleanup();
  }
});

async function waitFor(check: () => boolean, what: string): Promise<void> {
  for (let i = 0; i < 200; i++) {
    if (check()) return;
    await new Promise((r) => setTimeout(r, 10));
  }
  assert.fail(`timed out waiting for ${what}`);
}
