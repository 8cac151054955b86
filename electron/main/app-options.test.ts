import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { APP_ID, appOptions } from './app-options.js';

test('defaults: discover, render here too, no test hooks; switches turn them off', () => {
  assert.deepEqual(appOptions(['/app'], {}), { discover: true, localAgent: true, testHooks: false });
  assert.deepEqual(appOptions(['/app', '--no-discover', 'x.blend', '--no-local-agent'], { FARMHAND_TEST_HOOKS: '1' }), { discover: false, localAgent: false, testHooks: true });
});

test('the app id is the one electron-builder packages with', () => {
  const config = readFileSync(new URL('../../build/electron-builder.yml', import.meta.url), 'utf8');
  assert.equal(/^appId:\s*(\S+)/m.exec(config)?.[1], APP_ID);
});
