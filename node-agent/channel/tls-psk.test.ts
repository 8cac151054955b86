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

test('the TLS key is derived once per farm key, and a caller changing its copy does not change the next one', async () => {
  const { hkdfSync } = await import('node:crypto');
  const { PROTOCOL_VERSION } = await import('../protocol/constants.js');
  const key = generateFarmKey();
  const expected = Buffer.from(hkdfSync('sha256', Buffer.from(key, 'utf8'), 'farmhand farm key', `farmhand tls-psk v${PROTOCOL_VERSION}`, 32));
  const first = deriveTlsPsk(key);
  assert.ok(first.equals(expected));
  first.fill(0);
  assert.ok(deriveTlsPsk(key).equals(expected), 'the kept key is not the caller\'s buffer');
  const other = generateFarmKey();
  assert.ok(!deriveTlsPsk(other).equals(expected));
  assert.ok(deriveTlsPsk(key).equals(expected), 'back to the first key: derived again, the same');
});
