import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { isLoopbackHost, loadApiTls, plainHttpWarning } from './api-tls.js';
import { UserError } from './user-error.js';

// When the controller warns about plain HTTP (beyond loopback, without a certificate), and how
// --tls-cert/--tls-key are read: both or neither, every unreadable file named.

describe('plainHttpWarning', () => {
  test('loopback addresses and TLS get no warning', () => {
    for (const host of ['127.0.0.1', '127.1.2.3', '::1', 'localhost', '::ffff:127.0.0.1']) {
      assert.equal(isLoopbackHost(host), true, host);
      assert.equal(plainHttpWarning(host, false), null, host);
    }
    for (const host of ['0.0.0.0', '::', '192.168.1.20']) assert.equal(plainHttpWarning(host, true), null, host);
  });

  test('plain HTTP on any other address gets one line naming the address, the risk and the fix', () => {
    for (const host of ['0.0.0.0', '::', '192.168.1.20', 'render-box.local']) {
      assert.equal(isLoopbackHost(host), false, host);
      assert.equal(plainHttpWarning(host, false), `warning: the API on ${host} is plain HTTP, so the API token and all traffic cross the network in clear; serve it over HTTPS with --tls-cert FILE --tls-key FILE.`);
    }
  });
});

describe('loadApiTls', () => {
  let dir: string;
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'fh-api-tls-'));
    await writeFile(join(dir, 'cert.pem'), '-----BEGIN CERTIFICATE-----\n');
    await writeFile(join(dir, 'key.pem'), '-----BEGIN PRIVATE KEY-----\n');
  });
  after(() => rm(dir, { recursive: true, force: true }));

  test('neither option: plain HTTP; both: the two files as they are', async () => {
    assert.equal(await loadApiTls(undefined, undefined), undefined);
    const tls = await loadApiTls(join(dir, 'cert.pem'), join(dir, 'key.pem'));
    assert.equal(tls?.cert.toString(), '-----BEGIN CERTIFICATE-----\n');
    assert.equal(tls?.key.toString(), '-----BEGIN PRIVATE KEY-----\n');
  });

  test('one without the other, or a file that cannot be read, is a UserError with the option named', async () => {
    for (const [cert, key] of [[join(dir, 'cert.pem'), undefined], [undefined, join(dir, 'key.pem')]] as const) {
      await assert.rejects(loadApiTls(cert, key), (e: unknown) => e instanceof UserError && /^--tls-cert and --tls-key go together; give both/.test(e.message));
    }
    await assert.rejects(loadApiTls(join(dir, 'cert.pem'), join(dir, 'none.pem')), (e: unknown) =>
      e instanceof UserError && e.message === `The file "${join(dir, 'none.pem')}" given to --tls-key cannot be read (ENOENT); check the path and its permissions.`);
    await assert.rejects(loadApiTls(dir, join(dir, 'key.pem')), (e: unknown) => e instanceof UserError && /given to --tls-cert cannot be read \(EISDIR\)/.test(e.message));
  });
});
