import assert from 'node:assert/strict';
import { stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import { makeScratchDir } from '../../../test/helpers/scratch.js';
import { apiTokenPath, loadOrCreateApiToken, readApiToken, tokensEqual } from './api-token.js';

test('the token is created once, 32 random bytes in base64url, readable by the owner only', async () => {
  const { dir, cleanup } = await makeScratchDir('fh-api-token');
  try {
    const home = join(dir, 'home');
    assert.equal(await readApiToken(home), null, 'no token before first use');
    const token = await loadOrCreateApiToken(home);
    assert.match(token, /^[A-Za-z0-9_-]{43}$/);
    assert.equal(Buffer.from(token, 'base64url').length, 32);
    assert.equal((await stat(apiTokenPath(home))).mode & 0o777, 0o600);
    assert.equal(await loadOrCreateApiToken(home), token, 'the second start keeps the token');
    assert.equal(await readApiToken(home), token);
    const other = await makeScratchDir('fh-api-token-2');
    assert.notEqual(await loadOrCreateApiToken(other.dir), token, 'tokens are random');
    await other.cleanup();
  } finally {
    await cleanup();
  }
});

test('concurrent first starts agree on one token', async () => {
  const { dir, cleanup } = await makeScratchDir('fh-api-token-race');
  try {
    const tokens = await Promise.all([1, 2, 3, 4].map(() => loadOrCreateApiToken(dir)));
    assert.equal(new Set(tokens).size, 1);
  } finally {
    await cleanup();
  }
});

test('a damaged token file is a clear error naming the file and the fix', async () => {
  const { dir, cleanup } = await makeScratchDir('fh-api-token-bad');
  try {
    await writeFile(apiTokenPath(dir), 'not a token\n');
    await assert.rejects(readApiToken(dir), (e: Error) => e.message.includes(apiTokenPath(dir)) && /delete the file/.test(e.message));
  } finally {
    await cleanup();
  }
});

test('tokens compare equal only when identical, whatever their lengths', () => {
  const token = 'A'.repeat(43);
  assert.equal(tokensEqual(token, token), true);
  assert.equal(tokensEqual(`${token.slice(0, 42)}B`, token), false);
  assert.equal(tokensEqual(token.slice(0, 10), token), false, 'a prefix is not the token');
  assert.equal(tokensEqual(`${token}A`, token), false);
  assert.equal(tokensEqual('', token), false);
  assert.equal(tokensEqual('', ''), false, 'an empty expected token never matches');
});
