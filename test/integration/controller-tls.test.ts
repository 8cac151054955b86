import assert from 'node:assert/strict';
import { execFile, spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { get as httpGet } from 'node:http';
import { get as httpsGet } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { after, before, describe, test } from 'node:test';
import { ApiConnectionError, connectApi } from '../../electron/controller/api/api-client.js';
import { startApiServer } from '../../electron/controller/api/api-server.js';
import { generateApiToken } from '../../electron/controller/api/api-token.js';
import type { FarmApi } from '../../electron/controller/api/contract.js';
import { runCommand } from '../helpers/run-command.js';

// `farmhand controller --tls-cert --tls-key` as a user runs it, on 127.0.0.1 only: a
// self-signed certificate made by openssl, the API at wss://, the UI at https://, client
// commands that trust it with --ca (or FARMHAND_CA) and say in one sentence what is wrong
// when they do not; and the one warning line for plain HTTP on an address beyond loopback.
// The CLI runs from the source (tsx), so this tests the tree as it is, built or not.

const run = promisify(execFile);
const root = fileURLToPath(new URL('../..', import.meta.url));
const CLI = [process.execPath, '--import', 'tsx', join(root, 'electron/cli/farmhand.ts')] as const;

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

function farmhand(args: string[], env: Record<string, string>, timeoutMs = 60_000): Promise<Run> {
  return runCommand(CLI, args, { cwd: root, env, timeoutMs });
}

function assertUserError(r: Run, pattern: RegExp): void {
  assert.equal(r.code, 2, `exit ${r.code}: ${r.stderr}`);
  assert.match(r.stderr, pattern);
  assert.doesNotMatch(r.stderr, /\n\s+at /, 'no stack trace');
  assert.equal(r.stderr.trim().split('\n').length, 1, `one line, got:\n${r.stderr}`);
}

interface Controller {
  child: ChildProcess;
  url: string;
  stdout: () => string;
  stderr: () => string;
  exited: Promise<number | null>;
}

/** Starts `farmhand controller` (no local agent, no discovery) and resolves once it prints its URL. */
async function startController(env: Record<string, string>, args: string[]): Promise<Controller> {
  const child = spawn(CLI[0], [...CLI.slice(1), 'controller', '--port', '0', '--no-discover', '--no-local-agent', ...args], { cwd: root, env: { ...process.env, FARMHAND_MDNS_INTERFACE: '127.0.0.1', ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stderr!.on('data', (d: Buffer) => (stderr += d));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`the controller printed no URL within 30 s; stderr: ${stderr}`)), 30_000);
    child.stdout!.on('data', (d: Buffer) => {
      stdout += d;
      const m = /listening on (wss?:\/\/\S+)/.exec(stdout);
      if (m) {
        clearTimeout(timer);
        resolve(m[1]!);
      }
    });
    void exited.then((code) => reject(new Error(`the controller exited (${code}) before listening: ${stderr}`)));
  });
  return { child, url, stdout: () => stdout, stderr: () => stderr, exited };
}

async function stop(controller: Controller | undefined): Promise<void> {
  if (!controller || controller.child.exitCode !== null) return;
  controller.child.kill('SIGTERM');
  const timer = setTimeout(() => controller.child.kill('SIGKILL'), 20_000);
  await controller.exited;
  clearTimeout(timer);
}

/** Waits (bounded) for stderr, another pipe than the stdout line that said the controller listens. */
async function stderrOnce(controller: Controller, pattern: RegExp): Promise<string> {
  for (let i = 0; i < 250 && !pattern.test(controller.stderr()); i++) await new Promise((r) => setTimeout(r, 20));
  return controller.stderr();
}

/** One GET, answered or not: the status, or the error code when the connection failed. */
function fetchStatus(getter: typeof httpGet | typeof httpsGet, url: string, options: { ca?: Buffer } = {}): Promise<number | string> {
  return new Promise((resolve) => {
    const request = getter(url, { ...options, timeout: 5_000 }, (response) => {
      response.resume();
      resolve(response.statusCode ?? 0);
    });
    request.once('timeout', () => request.destroy(Object.assign(new Error('timeout'), { code: 'TIMEOUT' })));
    request.once('error', (error: NodeJS.ErrnoException) => resolve(error.code ?? error.message));
  });
}

describe('farmhand controller over TLS (--tls-cert, --tls-key) and its client commands', { timeout: 240_000 }, () => {
  let dir: string;
  let cert: string;
  let key: string;
  let env: Record<string, string>;
  let controller: Controller;

  before(async () => {
    assert.equal(spawnSync('openssl', ['version']).status, 0, 'openssl is needed to make the test certificate');
    dir = await mkdtemp(join(tmpdir(), 'fh-controller-tls-'));
    cert = join(dir, 'cert.pem');
    key = join(dir, 'key.pem');
    await run('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-days', '1', '-subj', '/CN=127.0.0.1', '-addext', 'subjectAltName=IP:127.0.0.1', '-keyout', key, '-out', cert]);
    env = { FARMHAND_HOME: join(dir, 'home') };
    controller = await startController(env, ['--host', '127.0.0.1', '--output-root', join(dir, 'out'), '--tls-cert', cert, '--tls-key', key]);
  });
  after(async () => {
    await stop(controller);
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  test('it prints a wss:// API and an https:// UI link, and gives no plain-HTTP warning', async () => {
    assert.match(controller.url, /^wss:\/\/127\.0\.0\.1:\d+\/api$/);
    assert.match(controller.stdout(), /^Farmhand UI: https:\/\/127\.0\.0\.1:\d+\/#token=\S+$/m);
    assert.match(await stderrOnce(controller, /Press Ctrl-C/), /Press Ctrl-C to stop/);
    assert.doesNotMatch(controller.stderr(), /warning/i);
  });

  test('a client command trusts the self-signed certificate with --ca, or with FARMHAND_CA', async () => {
    const withFlag = await farmhand(['jobs', '--json', '--url', controller.url, '--ca', cert], env);
    assert.equal(withFlag.code, 0, withFlag.stderr);
    assert.deepEqual(JSON.parse(withFlag.stdout), []);
    const withEnv = await farmhand(['agents', '--json'], { ...env, FARMHAND_URL: controller.url, FARMHAND_CA: cert });
    assert.equal(withEnv.code, 0, withEnv.stderr);
    assert.deepEqual(JSON.parse(withEnv.stdout), []);
  });

  test('without the certificate, with another one, by another name or over ws://, the client says what to do in one line', async () => {
    assertUserError(await farmhand(['jobs', '--json', '--url', controller.url], env),
      /^farmhand: The controller at wss:\/\/127\.0\.0\.1:\d+\/api presents a certificate this machine does not trust \(DEPTH_ZERO_SELF_SIGNED_CERT\); pass its certificate with --ca FILE \(or set FARMHAND_CA\)\.$/m);
    const otherKey = join(dir, 'other-key.pem');
    const otherCert = join(dir, 'other-cert.pem');
    await run('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-days', '1', '-subj', '/CN=127.0.0.1', '-addext', 'subjectAltName=IP:127.0.0.1', '-keyout', otherKey, '-out', otherCert]);
    assertUserError(await farmhand(['jobs', '--url', controller.url, '--ca', otherCert], env), /does not trust .*; check that ".*other-cert\.pem" is the certificate the controller was started with \(--tls-cert\)\.$/m);
    assertUserError(await farmhand(['jobs', '--url', controller.url.replace('127.0.0.1', 'localhost'), '--ca', cert], env), /The controller's certificate is not made out to the host in wss:\/\/localhost:\d+\/api; connect by a name or address the certificate lists/);
    assertUserError(await farmhand(['jobs', '--url', controller.url.replace('wss:', 'ws:')], env), /hung up on the connection .*; if it serves TLS, connect with wss:\/\/127\.0\.0\.1:\d+\/api\.$/m);
    assertUserError(await farmhand(['jobs', '--url', controller.url, '--ca', join(dir, 'missing.pem')], env), /The certificate file ".*missing\.pem" given with --ca \(or FARMHAND_CA\) cannot be read \(ENOENT\); check the path\./);
  });

  test('the UI and uploads are served over HTTPS only: a plain HTTP request gets no answer', async () => {
    const https = controller.url.replace('wss:', 'https:').replace(/\/api$/, '/');
    const status = await fetchStatus(httpsGet, https, { ca: await readFile(cert) });
    assert.equal(typeof status, 'number', `HTTPS GET / failed: ${status}`);
    assert.equal(await fetchStatus(httpsGet, https.replace(/\/$/, '/api/uploads'), { ca: await readFile(cert) }), 405);
    assert.equal(typeof (await fetchStatus(httpGet, https.replace('https:', 'http:'))), 'string', 'plain HTTP must not be answered');
  });

  test('a wss:// client at a plain controller is told it does not speak TLS', async () => {
    const token = generateApiToken();
    const plain = await startApiServer({ api: {} as FarmApi, token, host: '127.0.0.1', port: 0 });
    try {
      assert.equal(plain.secure, false);
      await assert.rejects(connectApi(plain.url.replace('ws:', 'wss:'), token), (e: unknown) =>
        e instanceof ApiConnectionError && /^The controller at wss:\/\/127\.0\.0\.1:\d+\/api does not speak TLS; connect with ws:\/\/127\.0\.0\.1:\d+\/api, or start it with --tls-cert and --tls-key\.$/.test(e.message));
    } finally {
      await plain.close();
    }
  });

  test('a certificate without its key, a key that is not its own, or a missing file: one sentence and exit 2', async () => {
    const home = { FARMHAND_HOME: join(dir, 'home-bad') };
    assertUserError(await farmhand(['controller', '--port', '0', '--no-discover', '--no-local-agent', '--tls-cert', cert], home), /--tls-cert and --tls-key go together; give both/);
    assertUserError(await farmhand(['controller', '--port', '0', '--no-discover', '--no-local-agent', '--tls-cert', join(dir, 'nope.pem'), '--tls-key', key], home), /The file ".*nope\.pem" given to --tls-cert cannot be read \(ENOENT\); check the path and its permissions\./);
    const otherKey = join(dir, 'other-key.pem');
    if (!(await readFile(otherKey).catch(() => null))) await run('openssl', ['genpkey', '-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-out', otherKey]);
    assertUserError(await farmhand(['controller', '--port', '0', '--no-discover', '--no-local-agent', '--tls-cert', cert, '--tls-key', otherKey], home),
      /^farmhand: The TLS certificate and key cannot be used \(the key is not the certificate's own\); give a PEM certificate with --tls-cert and its own private key with --tls-key\.$/m);
    await writeFile(join(dir, 'text.pem'), 'not a certificate\n');
    assertUserError(await farmhand(['controller', '--port', '0', '--no-discover', '--no-local-agent', '--tls-cert', join(dir, 'text.pem'), '--tls-key', key], home), /cannot be used \(a file is not in PEM form\)/);
  });

  test('plain HTTP on all addresses (--host 0.0.0.0) prints one warning line with the fix; nothing is sent anywhere', async () => {
    let open: Controller | undefined;
    try {
      open = await startController({ FARMHAND_HOME: join(dir, 'home-open') }, ['--host', '0.0.0.0', '--output-root', join(dir, 'out')]);
      assert.match(open.url, /^ws:\/\/0\.0\.0\.0:\d+\/api$/);
      const stderr = await stderrOnce(open, /Press Ctrl-C/);
      const warnings = stderr.split('\n').filter((l) => /warning/i.test(l));
      assert.deepEqual(warnings, ['warning: the API on 0.0.0.0 is plain HTTP, so the API token and all traffic cross the network in clear; serve it over HTTPS with --tls-cert FILE --tls-key FILE.']);
    } finally {
      await stop(open);
    }
  });
});
