import { test } from 'node:test';
import assert from 'node:assert/strict';
import { isSafeWorkspacePath } from './workspace-path.js';

test('workspace paths stay inside the workspace: relative, forward slashes, no dot segments', () => {
  for (const ok of ['shot.blend', 'textures/wood.png', 'lib/props.blend', 'blendcache_shot/cache_000001_00.bphys', '_abs/0/wood grain.png', 'ä/ü.png']) assert.equal(isSafeWorkspacePath(ok), true, ok);
  for (const bad of ['', '/etc/passwd', '../x.png', 'a/../../x', 'a/./b', 'a//b', 'a/', 'C:/textures/wood.png', 'c:wood.png', 'textures\\wood.png', '\\\\nas\\share\\x.png', 'a\u0000b', 'a\nb', `${'x'.repeat(256)}.png`, 'x/'.repeat(600)]) assert.equal(isSafeWorkspacePath(bad), false, JSON.stringify(bad));
});
