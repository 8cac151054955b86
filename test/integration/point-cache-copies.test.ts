import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { cp, link, mkdir, readdir, readFile, stat } from 'node:fs/promises';
import { createHash } from 'node:crypto';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { compileBlenderJob } from '../../electron/controller/jobs/blender/blender-job.js';
import { scanSceneDependencies } from '../../electron/controller/jobs/blender/dependency-manifest.js';
import { findBlender } from '../../electron/controller/jobs/blender/find-blender.js';
import { readFrameList } from '../../electron/controller/jobs/frame-list.js';
import { runBlenderScript } from '../helpers/blender-script.js';
import { makeScratchDir } from '../helpers/scratch.js';

// Why an unbaked disk point cache travels as copies (WorkspaceFile.copy) and a baked one as hard
// links: Blender writes an unbaked cache's files while it renders, and a baked cache is left
// untouched. Measured with Blender 3.4.1 (second test), the render deletes the old files and
// creates new ones, so a second hard link held to each keeps its bytes: the copies are
// insurance, not the fix of a measured corruption. Blender's cache writer opens a frame's file
// for writing by name (truncating it), so a cache it did not clear first would be written
// through a hard link into the agent's input cache and, on the controller's own agent, the
// artist's file; a copy cannot be.

const FIXTURE = join(import.meta.dirname, '..', 'fixtures', 'point-cache-scenes.py');

/** Each file under `folder`: inode, mtime and sha256. */
async function snapshot(folder: string): Promise<Map<string, { ino: number; mtimeNs: bigint; sha256: string }>> {
  const out = new Map<string, { ino: number; mtimeNs: bigint; sha256: string }>();
  for (const name of (await readdir(folder)).sort()) {
    const s = await stat(join(folder, name), { bigint: true });
    out.set(name, { ino: Number(s.ino), mtimeNs: s.mtimeNs, sha256: createHash('sha256').update(await readFile(join(folder, name))).digest('hex') });
  }
  return out;
}

function render(blend: string, home: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(findBlender()!, ['-b', '-noaudio', blend, '-o', '//out/f_####', '-s', '1', '-e', '3', '-a'], { stdio: 'ignore', env: { ...process.env, HOME: home, XDG_CACHE_HOME: join(home, '.cache') } });
    child.once('error', reject);
    child.once('close', (code) => (code === 0 ? resolve() : reject(new Error(`blender exited ${code}`))));
  });
}

describe('point caches Blender writes while rendering', { timeout: 120_000 }, () => {
  let dir: string;
  let cleanup: () => Promise<void>;

  before(async () => {
    ({ dir, cleanup } = await makeScratchDir('fh-pointcache'));
    await runBlenderScript(['--python', FIXTURE, '--', join(dir, 'scenes')], { home: join(dir, 'home'), what: 'point-cache scenes' });
  });
  after(() => cleanup());

  test('the reader marks an unbaked disk cache writable and the job places it as copies; a baked one as links', async () => {
    for (const name of ['unbaked', 'baked'] as const) {
      const blend = join(dir, 'scenes', name, 'shot.blend');
      const manifest = await scanSceneDependencies(blend, { home: join(dir, 'farm') });
      const caches = manifest.entries.filter((e) => e.kind === 'point-cache');
      assert.equal(caches.length, 3, `${name}: frames 1-3 of the cache are listed`);
      assert.ok(caches.every((e) => (e.writable === true) === (name === 'unbaked')), `${name}: ${JSON.stringify(caches)}`);
      const job = compileBlenderJob({ scenePath: blend, frames: readFrameList('1-3'), outputDir: join(dir, 'out') }, {
        scene: { sha256: 'f'.repeat(64), size: 1, name: 'shot.blend' }, scenePath: blend, sceneInfo: null, agentCount: 1, manifest,
      });
      const files = job.workspace!.files.filter((f) => f.path.startsWith('blendcache_shot/'));
      assert.equal(files.length, 3);
      assert.ok(files.every((f) => (f.copy === true) === (name === 'unbaked')), `${name}: ${JSON.stringify(files)}`);
    }
  });

  test('blender -b renders replace an unbaked disk cache\'s files (new inodes: a held hard link keeps its bytes) and leave a baked one untouched', async () => {
    const results: Record<string, { before: Awaited<ReturnType<typeof snapshot>>; after: Awaited<ReturnType<typeof snapshot>>; held: Awaited<ReturnType<typeof snapshot>> }> = {};
    for (const name of ['unbaked', 'baked']) {
      const copy = join(dir, 'render', name);
      await cp(join(dir, 'scenes', name), copy, { recursive: true });
      const cache = join(copy, 'blendcache_shot');
      const heldDir = join(dir, 'held', name);
      await mkdir(heldDir, { recursive: true });
      for (const file of await readdir(cache)) await link(join(cache, file), join(heldDir, file));
      const before = await snapshot(cache);
      await new Promise((resolve) => setTimeout(resolve, 20)); // mtimes tell writes apart
      await render(join(copy, 'shot.blend'), join(dir, 'home'));
      results[name] = { before, after: await snapshot(cache), held: await snapshot(heldDir) };
    }
    assert.equal(results.baked!.before.size, 3);
    assert.deepEqual(results.baked!.after, results.baked!.before, 'a baked cache: same files, inodes, mtimes and bytes');
    const { before, after: afterRender, held } = results.unbaked!;
    assert.equal(before.size, 3);
    const written = [...before].filter(([name, b]) => { const a = afterRender.get(name); return a === undefined || a.ino !== b.ino || a.mtimeNs !== b.mtimeNs; });
    assert.equal(written.length, 3, `the render wrote every frame of the unbaked cache: ${JSON.stringify([...afterRender.keys()])}`);
    assert.deepEqual([...held].map(([n, h]) => [n, h.sha256, h.mtimeNs]), [...before].map(([n, b]) => [n, b.sha256, b.mtimeNs]), 'the held links keep their bytes and mtimes: Blender 3.4 replaced the files rather than writing through them');
  });
});
