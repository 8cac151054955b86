import { test } from 'node:test';
import assert from 'node:assert/strict';
import { generateFarmKey } from '../protocol/farm-key.js';
import { deriveTlsPsk } from './tls-psk.js';

test('the TLS key is derived from the farm key: the same for the same key, different for another, never the key itself', () => {
  const key = generateFarmKey();
  const psk = deriveTlsPsk(key);
  assert.equal(psk.length, 32);
  assert.ok(psk.equals(deriveTlsPsk(key)));
  assert.ok(!psk.equals(deriveTlsPsk(generateFarmKey())));
  assert.ok(!psk.includes(Buffer.from(key)));
});
