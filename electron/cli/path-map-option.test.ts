import assert from 'node:assert/strict';
import { InvalidArgumentError } from 'commander';
import { test } from 'node:test';
import { pathMapRule } from './cli-options.js';
import { submitParams } from './submit-command.js';

// --map-path FROM=TO (repeatable) and --allow-missing reach the contract's render submit as
// pathMap and allowMissing; a rule without both sides is refused in one sentence.

test('--map-path rules pile up in order, split at the last =', () => {
  const rules = ['C:\\textures=/mnt/tex', '\\\\nas\\share=/srv/share'].reduce((all, value) => pathMapRule(value, all), [] as { from: string; to: string }[]);
  assert.deepEqual(rules, [{ from: 'C:\\textures', to: '/mnt/tex' }, { from: '\\\\nas\\share', to: '/srv/share' }]);
  assert.throws(() => pathMapRule('C:\\textures', []), (e: Error) => e instanceof InvalidArgumentError && e.message === '--map-path takes FROM=TO, such as C:\\textures=/mnt/textures, not "C:\\textures".');
  assert.throws(() => pathMapRule('=/mnt/tex', []), InvalidArgumentError);
});

test('farmhand submit passes --allow-missing and --map-path on for a scene, and refuses them for a video', () => {
  const base = { url: 'ws://127.0.0.1:7400/api', json: false, priority: 50, video: false, wait: false };
  const pathMap = [{ from: 'C:\\tex', to: '/mnt/tex' }];
  const params = submitParams('/shots/a.blend', { ...base, allowMissing: true, mapPath: pathMap }, (n) => n === 'allowMissing' || n === 'mapPath');
  assert.deepEqual(params, { type: 'render', scenePath: '/shots/a.blend', priority: 50, video: false, allowMissing: true, pathMap });
  assert.throws(() => submitParams('/media/in.mov', { ...base, mapPath: pathMap }, (n) => n === 'mapPath'), /--map-path applies to Blender scenes/);
});
