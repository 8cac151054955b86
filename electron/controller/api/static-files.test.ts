import assert from 'node:assert/strict';
import { createServer, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { createStaticFileHandler, safeRelativePath } from './static-files.js';

// The UI's files are served from one folder and nothing else: traversal in every spelling,
// symlinks leading out and hidden files are refused; served files carry their type and the CSP.

interface Reply {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

function get(port: number, path: string, method = 'GET', host?: string): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path, method, headers: host ? { host } : {} }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (body += c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
    });
    req.once('error', reject);
    req.setTimeout(5000, () => req.destroy(new Error(`no answer for ${path} within 5 s`)));
    req.end();
  });
}

describe('static files of the UI', () => {
  let dir: string;
  let server: Server;
  let port: number;
  let missing: Server;
  let missingPort: number;

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'fh-static-'));
    const ui = join(dir, 'ui');
    await mkdir(join(ui, 'sub'), { recursive: true });
    await writeFile(join(ui, 'index.html'), '<!doctype html><title>UI</title>');
    await writeFile(join(ui, 'app.js'), 'console.log(1)');
    await writeFile(join(ui, 'app.css'), 'body{}');
    await writeFile(join(ui, '.hidden'), 'no');
    await writeFile(join(dir, 'secret.txt'), 'outside');
    await symlink(join(dir, 'secret.txt'), join(ui, 'link.txt'));
    server = createServer(createStaticFileHandler({ root: ui }));
    missing = createServer(createStaticFileHandler({ root: join(dir, 'not-built') }));
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    await new Promise<void>((r) => missing.listen(0, '127.0.0.1', r));
    port = (server.address() as AddressInfo).port;
    missingPort = (missing.address() as AddressInfo).port;
  });

  after(async () => {
    await new Promise((r) => server.close(r));
    await new Promise((r) => missing.close(r));
    await rm(dir, { recursive: true, force: true });
  });

  test('/ is index.html, with a strict CSP that allows this host\'s WebSocket only', async () => {
    const r = await get(port, '/', 'GET', `127.0.0.1:${port}`);
    assert.equal(r.status, 200);
    assert.equal(r.headers['content-type'], 'text/html; charset=utf-8');
    assert.match(r.body, /<title>UI<\/title>/);
    const csp = String(r.headers['content-security-policy']);
    assert.match(csp, /default-src 'self'/);
    assert.match(csp, new RegExp(`connect-src 'self' ws://127\\.0\\.0\\.1:${port} wss://127\\.0\\.0\\.1:${port}`));
    assert.doesNotMatch(csp, /unsafe-inline|unsafe-eval|\*/);
    assert.equal(r.headers['x-content-type-options'], 'nosniff');
  });

  test('files get their content types; HEAD has no body', async () => {
    assert.equal((await get(port, '/app.js')).headers['content-type'], 'text/javascript; charset=utf-8');
    assert.equal((await get(port, '/app.css?v=1')).headers['content-type'], 'text/css; charset=utf-8');
    const head = await get(port, '/app.js', 'HEAD');
    assert.equal(head.status, 200);
    assert.equal(head.body, '');
  });

  test('a forged Host header does not widen connect-src', async () => {
    const r = await get(port, '/', 'GET', 'evil.example; script-src *');
    assert.doesNotMatch(String(r.headers['content-security-policy']), /evil|script-src \*/);
  });

  test('traversal, encoded traversal, hidden files and symlinks out are refused', async () => {
    for (const path of ['/../secret.txt', '/%2e%2e/secret.txt', '/sub/..%2f..%2fsecret.txt', '/..%5csecret.txt', '/%00index.html', '/.hidden']) {
      const r = await get(port, path);
      assert.ok(r.status === 400 || r.status === 404, `${path} → ${r.status}`);
      assert.doesNotMatch(r.body, /outside/);
    }
    const link = await get(port, '/link.txt');
    assert.equal(link.status, 404);
    assert.doesNotMatch(link.body, /outside/);
  });

  test('directories, unknown files, other methods and /api get clear answers', async () => {
    assert.equal((await get(port, '/sub')).status, 404);
    assert.equal((await get(port, '/nope.js')).status, 404);
    const post = await get(port, '/', 'POST');
    assert.equal(post.status, 405);
    assert.equal(post.headers.allow, 'GET, HEAD');
    assert.equal((await get(port, '/api')).status, 426);
  });

  test('an unbuilt UI says how to build it', async () => {
    const r = await get(missingPort, '/');
    assert.equal(r.status, 503);
    assert.match(r.body, /npm run build/);
  });

  test('safeRelativePath', () => {
    assert.equal(safeRelativePath('/'), 'index.html');
    assert.equal(safeRelativePath('/a/b.js?x=1#y'), 'a/b.js');
    assert.equal(safeRelativePath('//app.js'), 'app.js');
    assert.equal(safeRelativePath('/a/../b'), null);
    assert.equal(safeRelativePath('/%E0%A4%A'), null);
  });
});
