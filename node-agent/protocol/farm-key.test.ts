import { test } from 'node:test';
import assert from 'node:assert/strict';
import { FarmKeyError, generateFarmKey, newNonce, parseFarmKey, proveKey, verifyKeyProof } from './farm-key.js';

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

test('a proof verifies only with the same key, role and nonce', () => {
  const key = generateFarmKey();
  const nonce = newNonce();
  const proof = proveKey(key, 'controller', nonce);
  assert.equal(verifyKeyProof(key, 'controller', nonce, proof), true);
  assert.equal(verifyKeyProof(generateFarmKey(), 'controller', nonce, proof), false);
  assert.equal(verifyKeyProof(key, 'agent', nonce, proof), false, 'a reflected proof must not pass');
  assert.equal(verifyKeyProof(key, 'controller', newNonce(), proof), false);
  assert.equal(verifyKeyProof(key, 'controller', nonce, 'zz'), false);
});
