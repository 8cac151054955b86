import assert from 'node:assert/strict';
import { chmod, readFile, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { after, before, test } from 'node:test';
import { makeScratchDir } from '../../../../test/helpers/scratch.js';
import { findOnPath } from '../../../../node-agent/host/find-executable.js';
import { sharedBlendReads } from './blend-reads.js';
import { scanSceneDependencies } from './dependency-manifest.js';
import { readSceneInfo } from './scene-probe.js';

// A submit reads its scene for the settings and for the dependency manifest: with the shared
// reads the zstd-compressed example is decompressed once, and both answers are what they were.

const SCENE = resolve('assets/examples/spinning-cube.blend');
const zstd = findOnPath('zstd');
let scratch: Awaited<ReturnType<typeof makeScratchDir>>;

before(async () => {
  scratch = await makeScratchDir('blend-reads');
});
after(() => scratch.cleanup());

test('the scene\'s settings and its dependency scan share one read of the .blend, with the same answers as separate reads', async () => {
  assert.ok(zstd, 'the zstd tool is installed (apt-get install zstd)');
  // A zstd that counts its runs: each run is one decompression of the scene.
  const runs = join(scratch.dir, 'runs.log');
  const counting = join(scratch.dir, 'counting-zstd');
  await writeFile(counting, `#!/bin/sh\necho run >> '${runs}'\nexec '${zstd}' "$@"\n`);
  await chmod(counting, 0o755);
  const reads = sharedBlendReads({ zstdTool: counting });
  const home = join(scratch.dir, 'home');
  const shared = {
    scene: await readSceneInfo(SCENE, { blenderPath: null, scratchHome: join(home, 'scratch-home'), reads }),
    dependencies: await scanSceneDependencies(SCENE, { home, blenderPath: null, reads }),
  };
  assert.equal((await readFile(runs, 'utf8')).split('\n').filter(Boolean).length, 1);
  assert.equal(await reads(SCENE), await reads(SCENE), 'one parsed file per path');
  const separate = {
    scene: await readSceneInfo(SCENE, { blenderPath: null, scratchHome: join(home, 'scratch-home') }),
    dependencies: await scanSceneDependencies(SCENE, { home, blenderPath: null }),
  };
  assert.deepEqual(shared, separate);
  assert.equal(shared.scene.frameEnd > shared.scene.frameStart, true);
});

test('a failed read stays failed for every asker of the submit', async () => {
  const broken = join(scratch.dir, 'broken.blend');
  await writeFile(broken, Buffer.concat([Buffer.from([0x28, 0xb5, 0x2f, 0xfd]), Buffer.alloc(64, 7)]));
  const reads = sharedBlendReads({ zstdTool: null });
  await assert.rejects(reads(broken), /zstd-compressed file is damaged/);
  await assert.rejects(reads(broken), /zstd-compressed file is damaged/);
});
