import assert from 'node:assert/strict';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { makeScratchDir } from '../../../../test/helpers/scratch.js';
import { filesOf } from './dependency-files.js';
import { isWindowsPath, resolveWrittenPath } from './dependency-paths.js';

// Where a written path is on the controller (`//` from the naming file's folder, mapped Windows
// paths), and which files on disk a sequence, UDIM set or point cache stands for.

test('`//` resolves from the folder of the file that names it, Windows separators included', () => {
  assert.equal(resolveWrittenPath('//textures/a.png', '/shots/s1/scene.blend'), '/shots/s1/textures/a.png');
  assert.equal(resolveWrittenPath('//..\\lib\\tex\\a.png', '/shots/s1/scene.blend'), '/shots/lib/tex/a.png');
  assert.equal(resolveWrittenPath('/abs/a.png', '/shots/s1/scene.blend'), '/abs/a.png');
});

test('path mapping: whole leading segments, either slash, Windows prefixes without case, first rule wins', () => {
  const map = [{ from: 'C:\\Tex', to: '/mnt/tex' }, { from: '\\\\nas\\share', to: '/srv/share' }, { from: '/old/root', to: '/new/root' }];
  assert.equal(resolveWrittenPath('c:/tex/wood/a.png', '/s/x.blend', map), '/mnt/tex/wood/a.png');
  assert.equal(resolveWrittenPath('C:\\TEX\\a.png', '/s/x.blend', map), '/mnt/tex/a.png');
  assert.equal(resolveWrittenPath('\\\\NAS\\share\\a.png', '/s/x.blend', map), '/srv/share/a.png');
  assert.equal(resolveWrittenPath('/old/root/a.png', '/s/x.blend', map), '/new/root/a.png');
  // Not a whole segment, another case on a POSIX path, or no rule: left alone.
  assert.equal(resolveWrittenPath('C:\\Textures\\a.png', '/s/x.blend', map), 'C:\\Textures\\a.png');
  assert.equal(resolveWrittenPath('/OLD/root/a.png', '/s/x.blend', map), '/OLD/root/a.png');
  assert.equal(resolveWrittenPath('D:\\a.png', '/s/x.blend', map), 'D:\\a.png');
  assert.deepEqual(['C:\\a', 'c:/a', '\\\\nas\\a', '//rel', '/abs'].map(isWindowsPath), [true, true, true, false, false]);
});

let scratch: { dir: string; cleanup: () => Promise<void> };
before(async () => {
  scratch = await makeScratchDir('farmhand-dependency-files');
  const files = ['seq/f_0001.exr', 'seq/f_0002.exr', 'seq/f_0010.exr', 'seq/g_0001.exr', 'seq/f_0001.png', 'udim/t.1001.png', 'udim/t.1012.png', 'udim/t.u1_v1.png',
    'blendcache_s/cloth_000001_00.bphys', 'blendcache_s/cloth_000002_00.bphys', 'blendcache_s/cloth_000001_01.bphys', 'blendcache_s/43756265_000001_00.bphys', 'bake/a/b.vdb'];
  for (const f of files) {
    await mkdir(join(scratch.dir, f, '..'), { recursive: true });
    await writeFile(join(scratch.dir, f), f);
  }
});
after(() => scratch.cleanup());

test('what a sequence, UDIM set, cache and bake folder are on disk', async () => {
  const rel = (files: string[]) => files.map((f) => f.slice(scratch.dir.length + 1));
  const at = (p: string) => join(scratch.dir, p);
  assert.deepEqual(rel(await filesOf(at('seq/f_0001.exr'), { type: 'sequence' })), ['seq/f_0001.exr', 'seq/f_0002.exr', 'seq/f_0010.exr']);
  assert.deepEqual(rel(await filesOf(at('seq/f_####.exr'), { type: 'sequence' })), ['seq/f_0001.exr', 'seq/f_0002.exr', 'seq/f_0010.exr']);
  assert.deepEqual(rel(await filesOf(at('udim/t.<UDIM>.png'), { type: 'udim' })), ['udim/t.1001.png', 'udim/t.1012.png']);
  assert.deepEqual(rel(await filesOf(at('udim/t.<UVTILE>.png'), { type: 'udim' })), ['udim/t.u1_v1.png']);
  assert.deepEqual(rel(await filesOf(at('udim/t.1001.png'), { type: 'udim' })), ['udim/t.1001.png', 'udim/t.1012.png']);
  assert.deepEqual(rel(await filesOf(at('blendcache_s'), { type: 'point-cache', prefixes: ['cloth'], index: 0 })), ['blendcache_s/cloth_000001_00.bphys', 'blendcache_s/cloth_000002_00.bphys']);
  assert.deepEqual(rel(await filesOf(at('blendcache_s'), { type: 'point-cache', prefixes: ['43756265'], index: 0 })), ['blendcache_s/43756265_000001_00.bphys']);
  assert.deepEqual(rel(await filesOf(at('bake'), { type: 'folder' })), ['bake/a/b.vdb']);
  assert.deepEqual(await filesOf(at('nothing-here'), { type: 'folder' }), []);
});
