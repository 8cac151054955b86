import { test } from 'node:test';
import assert from 'node:assert/strict';
import { FarmKeyError, generateFarmKey, parseFarmKey } from './farm-key.js';

test('generated keys are well-formed, distinct and survive sloppy typing', () => {
  const a = generateFarmKey();
  const b = generateFarmKey();
  assert.notEqual(a, b);
  assert.match(a, /^([a-z2-9]{5}-){5}[a-z2-9]{5}$/);
  assert.equal(parseFarmKey(`  ${a.toUpperCase()}\n`), a);
});

test('missing or malformed keys are clear errors', () => {
  assert.throws(() => parseFarmKey(undefined), (e: Error) => e instanceof FarmKeyError && /No farm key was given/.test(e.message) && /farmhand key/.test(e.message));
  assert.throws(() => parseFarmKey('   '), /No farm key was given/);
  assert.throws(() => parseFarmKey('hunter2', '--farm-key'), /The farm key from --farm-key is malformed/);
});
