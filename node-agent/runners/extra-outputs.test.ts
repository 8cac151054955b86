import assert from 'node:assert/strict';
import { mkdir, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import { makeScratchDir } from '../../test/helpers/scratch.js';
import { findExtraOutputs, TooManyOutputsError } from './extra-outputs.js';

test('every other regular file under the output folder, by relative name, sorted; main frames, links and unsafe names left out', async () => {
  const { dir, cleanup } = await makeScratchDir('farmhand-extra-outputs');
  try {
    await mkdir(join(dir, 'passes', 'comp'), { recursive: true });
    for (const name of ['s_0001.png', 'passes/fg_0001.png', 'passes/comp/bg_0001.png', 'passes/bad\u0001name.png']) await writeFile(join(dir, name), 'x');
    await symlink('/etc/passwd', join(dir, 'passes', 'link.png'));
    const found = await findExtraOutputs(dir, new Set([join(dir, 's_0001.png')]), 10);
    assert.deepEqual(found.paths, [join(dir, 'passes/comp/bg_0001.png'), join(dir, 'passes/fg_0001.png')]);
    assert.deepEqual(found.skipped, ['passes/bad\u0001name.png']);
    await assert.rejects(findExtraOutputs(dir, new Set(), 2), TooManyOutputsError);
    assert.deepEqual(await findExtraOutputs(join(dir, 'absent'), new Set(), 10), { paths: [], skipped: [] });
  } finally {
    await cleanup();
  }
});
