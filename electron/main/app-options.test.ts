import { test } from 'node:test';
import assert from 'node:assert/strict';
import { appOptions } from './app-options.js';

test('defaults: discover, render here too, no test hooks; switches turn them off', () => {
  assert.deepEqual(appOptions(['/app'], {}), { discover: true, localAgent: true, testHooks: false });
  assert.deepEqual(appOptions(['/app', '--no-discover', 'x.blend', '--no-local-agent'], { FARMHAND_TEST_HOOKS: '1' }), { discover: false, localAgent: false, testHooks: true });
});
