import { test } from 'node:test';
import assert from 'node:assert/strict';
import { safeOutputPath, UnsafeOutputNameError } from './output-names.js';

test('plain output names land inside the job folder', () => {
  assert.equal(safeOutputPath('/farm/out/job', 'scene_0001.png'), '/farm/out/job/scene_0001.png');
  assert.equal(safeOutputPath('/farm/out/job/', 'Scene.v2_0010.exr'), '/farm/out/job/Scene.v2_0010.exr');
});

test('names from the wire can never escape the folder', () => {
  const hostile = [
    '../escape.png', '..', '.', '', '/etc/passwd', 'a/b.png', 'a\\b.png', '..\\x.png', '.hidden', 'x/../../y',
    'frame\u0000.png', 'frame .png', '~/x', 'C:\\x.png', 'a'.repeat(300), 'x..png/..', '%2e%2e%2fx',
  ];
  for (const name of hostile) {
    assert.throws(() => safeOutputPath('/farm/out/job', name), UnsafeOutputNameError, `accepted ${JSON.stringify(name)}`);
  }
});

test('a File Output pass keeps its folders under passes/, and only there', () => {
  assert.equal(safeOutputPath('/farm/out/job', 'passes/fg_0001.png'), '/farm/out/job/passes/fg_0001.png');
  assert.equal(safeOutputPath('/farm/out/job', 'passes/comp/bg_0001.png'), '/farm/out/job/passes/comp/bg_0001.png');
  for (const name of ['passes/../x.png', 'passes/', 'passes//x.png', 'passes/.x', 'other/x.png', 'passes/a/../../x', `passes/${'a'.repeat(250)}/x.png`]) {
    assert.throws(() => safeOutputPath('/farm/out/job', name), UnsafeOutputNameError, `accepted ${JSON.stringify(name)}`);
  }
});
