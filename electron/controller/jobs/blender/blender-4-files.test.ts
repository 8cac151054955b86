import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { readFile, stat } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, before, describe, test } from 'node:test';
import { makeScratchDir } from '../../../../test/helpers/scratch.js';
import { probeFile } from '../../api/probe-file.js';
import type { DependencyManifest } from '../../api/views.js';
import { readBlendBytes } from './blend-bytes.js';
import { namedPaths } from './blend-dependencies.js';
import { parseBlendFile } from './blend-file.js';
import { scanSceneDependencies } from './dependency-manifest.js';
import { readBlendScene } from './read-blend-scene.js';

// Scenes Blender 4.3 wrote (test/fixtures/blender-4, made by make-fixtures.py there: this
// machine's Blender is 3.4, which cannot make or even open them), read by the controller's own
// reader: every kind of file a shot names, Geometry Nodes bake folders (a packed bake's
// leftover folder not), and the scene's settings, from the plain and the zstd-compressed file.

const FIXTURES = fileURLToPath(new URL('../../../../test/fixtures/blender-4/', import.meta.url));
const at = (path: string) => join(FIXTURES, path);
/** The absolute image the scene names is on no machine; the tests say where it is, as --map-path would. */
const pathMap = [{ from: '/farmhand-fixtures/elsewhere', to: at('elsewhere') }];
/** The Bake node and simulation zone's bake id (make-fixtures.py printed the files into files.txt). */
const BAKE_ID = '484969820';

/** [kind, written, resolved (relative to the fixtures), naming file, missing], sorted. */
const rows = (m: DependencyManifest) =>
  m.entries.map((e) => JSON.stringify([e.kind, e.written, e.resolved.startsWith('/') ? relative(FIXTURES, e.resolved) : e.resolved, relative(FIXTURES, e.from), e.missing])).sort();

function expected(blend: 'scene.blend' | 'scene_z.blend'): string[] {
  const shot = `shot/${blend}`;
  const stem = blend.slice(0, -6);
  return [
    ['volume', '//vdb/smoke.vdb', 'shot/vdb/smoke.vdb', shot, true],
    ['image', 'C:\\Tex\\win.png', 'C:\\Tex\\win.png', shot, true],
    ['image', '//textures/missing.png', 'shot/textures/missing.png', shot, true],
    ['font', '//fonts/title.ttf', 'shot/fonts/title.ttf', shot, true],
    ['image', '//textures/rel.png', 'shot/textures/rel.png', shot, false],
    ['image', '/farmhand-fixtures/elsewhere/abs.png', 'elsewhere/abs.png', shot, false],
    ['image-sequence', '//seq/frame_0001.png', 'shot/seq/frame_0001.png', shot, false],
    ['image-sequence', '//seq/frame_0001.png', 'shot/seq/frame_0002.png', shot, false],
    ['image-sequence', '//seq/frame_0001.png', 'shot/seq/frame_0003.png', shot, false],
    ['udim', '//udim/tex.<UDIM>.png', 'shot/udim/tex.1001.png', shot, false],
    ['udim', '//udim/tex.<UDIM>.png', 'shot/udim/tex.1002.png', shot, false],
    ['library', '//../lib/props.blend', 'lib/props.blend', shot, false],
    ['image', '//tex/lib.png', 'lib/tex/lib.png', 'lib/props.blend', false],
    ['mesh-cache', '//cache/anim.pc2', 'shot/cache/anim.pc2', shot, false],
    ['point-cache', `//blendcache_${stem}`, `shot/blendcache_${stem}/softcache_000001_00.bphys`, shot, false],
    ['point-cache', `//blendcache_${stem}`, `shot/blendcache_${stem}/softcache_000002_00.bphys`, shot, false],
    // The modifier's folder as written (the agent maps that path); Blender keeps each bake in <folder>/<bake id>/.
    ['bake', '//gn_bake', `shot/gn_bake/${BAKE_ID}/blobs/00001_00000.blob`, shot, false],
    ['bake', '//gn_bake', `shot/gn_bake/${BAKE_ID}/meta/00001_00000.json`, shot, false],
    ['bake', '//gn_bake', `shot/gn_bake/${BAKE_ID}/meta/00002_00000.json`, shot, false],
    ['bake', '//gn_bake', `shot/gn_bake/${BAKE_ID}/meta/00003_00000.json`, shot, false],
    // The Bake node's custom path: its files straight in that folder.
    ['bake', '//gn_custom', 'shot/gn_custom/blobs/00001_00000.blob', shot, false],
    ['bake', '//gn_custom', 'shot/gn_custom/meta/00001_00000.json', shot, false],
    ['sound', '//sounds/beep.wav', 'shot/sounds/beep.wav', shot, false],
    ['text', '//scripts/ext.py', 'shot/scripts/ext.py', shot, false],
    // Not listed: the packed image, the text held in the .blend, and //gn_packed (its bakes are packed).
  ].map((r) => JSON.stringify(r)).sort();
}

describe('Blender 4.3 files (plain and zstd) read by the controller without Blender', () => {
  let scratch: { dir: string; cleanup: () => Promise<void> };
  before(async () => {
    scratch = await makeScratchDir('farmhand-blender-4');
  });
  after(() => scratch.cleanup());

  test('the fixtures are what Blender 4.3 wrote: a plain file and a zstd one', async () => {
    assert.equal((await readFile(at('shot/scene.blend'))).subarray(0, 12).toString('latin1'), 'BLENDER-v403');
    assert.equal((await readFile(at('shot/scene_z.blend'))).readUInt32LE(0), 0xfd2fb528);
    assert.equal((await readFile(at('lib/props.blend'))).readUInt32LE(0), 0xfd2fb528);
  });

  for (const blend of ['scene.blend', 'scene_z.blend'] as const) {
    test(`${blend}: every file it and its library name, resolved, missing first, with size and sha256`, async () => {
      const m = await scanSceneDependencies(at(`shot/${blend}`), { home: join(scratch.dir, blend), pathMap, blenderPath: null });
      assert.equal(m.listedBy, 'reader');
      assert.deepEqual(rows(m), expected(blend));
      assert.equal(m.missingCount, 4);
      assert.deepEqual(m.entries.map((e) => e.missing), [...Array(4).fill(true), ...Array(m.entries.length - 4).fill(false)]);
      for (const e of m.entries.filter((x) => !x.missing)) {
        const bytes = await readFile(e.resolved);
        assert.equal(e.size, bytes.length, e.resolved);
        assert.equal(e.sha256, createHash('sha256').update(bytes).digest('hex'), e.resolved);
      }
      assert.ok((await stat(at('shot/gn_packed'))).isDirectory(), 'the packed bake\'s old folder is there, and not listed');
    });
  }

  test('the zstd file reads the same through the zstd tool and through JavaScript', async () => {
    const viaJs = await readBlendBytes(at('shot/scene_z.blend'), { zstdTool: null });
    assert.equal(viaJs.subarray(0, 12).toString('latin1'), 'BLENDER-v403');
    const plain = namedPaths(parseBlendFile(viaJs), 'scene_z.blend');
    assert.ok(plain.some((p) => p.kind === 'bake' && p.written === '//gn_bake'));
    const viaTool = await readBlendBytes(at('shot/scene_z.blend'), { zstdTool: 'zstd' });
    assert.ok(viaTool.equals(viaJs));
  });

  test('the scene\'s settings, the EEVEE of 4.2+ (BLENDER_EEVEE_NEXT) as the file names it', async () => {
    for (const blend of ['scene.blend', 'scene_z.blend']) {
      const path = at(`shot/${blend}`);
      const info = await readBlendScene(path, (await stat(path)).size);
      assert.deepEqual(
        [info.frameStart, info.frameEnd, info.frameStep, info.fps, info.resolution, info.engine, info.fileFormat, info.outputPath, info.camera, info.scenes],
        [1, 3, 1, 24, [64, 48], 'BLENDER_EEVEE_NEXT', 'PNG', at('shot/render/frame_'), 'Cam', ['Scene']],
        blend,
      );
    }
  });

  test('files.probe of a 4.3 scene gives its settings and its manifest', async () => {
    const probe = await probeFile(at('shot/scene_z.blend'), { home: join(scratch.dir, 'probe') });
    assert.equal(probe.kind, 'scene');
    if (probe.kind !== 'scene') return;
    assert.equal(probe.engine, 'BLENDER_EEVEE_NEXT');
    assert.equal(probe.dependencies?.listedBy, 'reader');
    assert.equal(probe.dependencies?.missingCount, 5); // no path mapping: the absolute image is missing too
  });
});
