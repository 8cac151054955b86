import assert from 'node:assert/strict';
import { cp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, before, describe, test } from 'node:test';
import { toBlendFormat1 } from '../../../../test/helpers/blend-format-converter.js';
import { makeScratchDir } from '../../../../test/helpers/scratch.js';
import { readBlendScene } from './read-blend-scene.js';

// The issue-17 scene facts of the scenes Blender 4.3 wrote (test/fixtures/blender-4): the
// version (4.3, openable from 3.6 on), and simulations: its soft body and Geometry Nodes
// simulation zones are baked (one on disk, one packed into the .blend), so none is listed,
// until the disk bake's files are gone.

const SHOT = fileURLToPath(new URL('../../../../test/fixtures/blender-4/shot/', import.meta.url));
/** The simulation zone's bake id in the fixture (see blender-4-files.test.ts). */
const BAKE_ID = '484969820';

describe('issue-17 facts of Blender 4.3 files', () => {
  let scratch: { dir: string; cleanup: () => Promise<void> };
  const read = async (path: string) => readBlendScene(path, (await stat(path)).size);
  before(async () => {
    scratch = await makeScratchDir('farmhand-blender4-facts');
  });
  after(() => scratch.cleanup());

  test('saved by 4.3, openable from 3.6; no Python, no unbaked simulation, no Cycles device (EEVEE)', async () => {
    for (const blend of ['scene.blend', 'scene_z.blend']) {
      const info = await read(join(SHOT, blend));
      assert.deepEqual(info.fileVersion, { saved: '4.3', minimum: '3.6' }, blend);
      assert.deepEqual([info.scripts, info.simulations, info.cyclesDevice], [undefined, undefined, undefined], blend);
    }
  });

  test('the simulation zone whose disk bake is gone is unbaked; the packed one stays baked without its folder', async () => {
    const shot = join(scratch.dir, 'shot');
    await cp(SHOT, shot, { recursive: true });
    await rm(join(shot, 'gn_packed'), { recursive: true });
    assert.equal((await read(join(shot, 'scene.blend'))).simulations, undefined);
    await rm(join(shot, 'gn_bake', BAKE_ID, 'meta'), { recursive: true });
    assert.deepEqual((await read(join(shot, 'scene.blend'))).simulations, [{ kind: 'geometry-nodes', owner: 'GN' }]);
  });

  test("converted to Blender 5's layout, the 4.3 scene reads the same, saved by 5.0", async () => {
    // Beside the scene, so its relative paths (the output, the bake folders) lead to the same places.
    const shot = join(scratch.dir, 'shot-5');
    await cp(SHOT, shot, { recursive: true });
    const path = join(shot, 'scene.blend');
    const original = await read(path);
    await writeFile(path, toBlendFormat1(await readFile(path)));
    assert.deepEqual(await read(path), { ...original, fileVersion: { saved: '5.0', minimum: '3.6' } });
  });
});
