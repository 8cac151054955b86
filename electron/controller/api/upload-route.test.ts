import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { createServer, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { createUploadHandler, isUploadRequest, safeUploadName } from './upload-route.js';

// Uploads from a browser: only with the API token, never outside the uploads folder whatever
// the name, capped in size (declared or streamed), and the bytes that arrive are the bytes sent.

interface Reply {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

const TOKEN = 'a'.repeat(43);
const LIMIT = 64 * 1024;

/** POSTs `body` (whole, in chunks without a length, or nothing after the headers). */
function post(port: number, path: string, o: { token?: string; body?: Buffer; chunked?: boolean; declaredLength?: number; method?: string }): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const headers: Record<string, string> = {};
    if (o.token !== undefined) headers.authorization = `Bearer ${o.token}`;
    if (o.declaredLength !== undefined) headers['content-length'] = String(o.declaredLength);
    else if (o.body && !o.chunked) headers['content-length'] = String(o.body.length);
    const req = request({ host: '127.0.0.1', port, path, method: o.method ?? 'POST', headers }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (body += c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
    });
    req.once('error', reject);
    req.setTimeout(10_000, () => req.destroy(new Error(`no answer for ${path} within 10 s`)));
    if (o.declaredLength !== undefined) return void req.flushHeaders(); // the answer must come without the body
    if (o.chunked && o.body) {
      for (let at = 0; at < o.body.length; at += 8192) req.write(o.body.subarray(at, at + 8192));
    } else if (o.body) req.write(o.body);
    req.end();
  });
}

describe('uploads (POST /api/uploads)', () => {
  let dir: string;
  let server: Server;
  let port: number;

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'fh-uploads-'));
    const uploads = createUploadHandler({ dir: join(dir, 'uploads'), token: TOKEN, maxBytes: LIMIT });
    server = createServer((req, res) => {
      if (isUploadRequest(req)) return uploads(req, res);
      res.writeHead(404).end();
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    port = (server.address() as AddressInfo).port;
  });

  after(async () => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
    await rm(dir, { recursive: true, force: true });
  });

  test('a file goes in whole: the answer names a path under uploads/<sha256>/ holding exactly the bytes sent', async () => {
    const bytes = randomBytes(40_000);
    const reply = await post(port, '/api/uploads?name=shot%20010.blend', { token: TOKEN, body: bytes, chunked: true });
    assert.equal(reply.status, 201, reply.body);
    const result = JSON.parse(reply.body) as { path: string; name: string; size: number; sha256: string };
    const sha256 = createHash('sha256').update(bytes).digest('hex');
    assert.deepEqual({ name: result.name, size: result.size, sha256: result.sha256 }, { name: 'shot 010.blend', size: bytes.length, sha256 });
    assert.equal(result.path, join(dir, 'uploads', sha256, 'shot 010.blend'));
    assert.ok((await readFile(result.path)).equals(bytes));
    // The same file again lands in the same place; no temporary file is left behind.
    const again = await post(port, '/api/uploads?name=shot%20010.blend', { token: TOKEN, body: bytes });
    assert.equal(JSON.parse(again.body).path, result.path);
    assert.deepEqual(await readdir(join(dir, 'uploads')), [sha256]);
  });

  test('without the token, or with a wrong one, nothing is stored and the answer says what to send', async () => {
    for (const token of [undefined, 'wrong-token']) {
      const reply = await post(port, '/api/uploads?name=x.blend', { token, body: Buffer.from('BLENDER-v300') });
      assert.equal(reply.status, 401);
      assert.match(reply.body, /needs the API token.*Authorization: Bearer/);
      assert.equal(reply.headers['www-authenticate'], 'Bearer');
    }
    const wrongMethod = await post(port, '/api/uploads?name=x.blend', { token: TOKEN, method: 'GET' });
    assert.equal(wrongMethod.status, 405);
    const stored = await readdir(join(dir, 'uploads'), { recursive: true }).catch(() => [] as string[]);
    assert.ok(!stored.some((n) => n.endsWith('x.blend') || n.includes('.incoming')), `stored: ${stored.join(', ')}`);
  });

  test('names that try to climb out are cut down to a plain name inside the uploads folder', async () => {
    const cases: [string, string][] = [
      ['../../etc/passwd', 'passwd'],
      ['..\\..\\windows\\evil.blend', 'evil.blend'],
      ['/abs/path/scene.blend', 'scene.blend'],
      ['.hidden.blend', 'hidden.blend'],
      ['a\u0000b\nc.blend', 'abc.blend'],
      ['semi;colon$and*stars.mp4', 'semi_colon_and_stars.mp4'],
    ];
    for (const [raw, expected] of cases) {
      assert.equal(safeUploadName(raw), expected, raw);
      const reply = await post(port, `/api/uploads?name=${encodeURIComponent(raw)}`, { token: TOKEN, body: Buffer.from(raw) });
      assert.equal(reply.status, 201, `${raw}: ${reply.body}`);
      const { path } = JSON.parse(reply.body) as { path: string };
      const inside = relative(join(dir, 'uploads'), path);
      assert.ok(!inside.startsWith('..') && inside.split('/').length === 2, `${raw} landed at ${path}`);
      assert.equal(path.split('/').pop(), expected);
    }
    assert.equal(safeUploadName('..'), null);
    assert.equal(safeUploadName('../'), null);
    assert.equal(safeUploadName(''), null);
    assert.equal(safeUploadName(`${'x'.repeat(500)}.blend`)!.length, 200);
    assert.match(safeUploadName(`${'x'.repeat(500)}.blend`)!, /\.blend$/);
    const noName = await post(port, '/api/uploads?name=..', { token: TOKEN, body: Buffer.from('x') });
    assert.equal(noName.status, 400);
    assert.match(noName.body, /Give the file's name/);
  });

  test('a file over the limit is refused with 413 and a sentence, whether its size is declared or only streamed', async () => {
    const declared = await post(port, '/api/uploads?name=huge.mov', { token: TOKEN, declaredLength: LIMIT + 1 });
    assert.equal(declared.status, 413);
    assert.match(declared.body, /"huge\.mov" is larger than the 64 KiB this controller accepts by upload; copy it to the controller's machine/);
    const streamed = await post(port, '/api/uploads?name=huge.mov', { token: TOKEN, body: randomBytes(LIMIT + 10_000), chunked: true });
    assert.equal(streamed.status, 413);
    assert.match(streamed.body, /larger than the 64 KiB/);
    const names = await readdir(join(dir, 'uploads'));
    assert.ok(names.every((n) => !n.startsWith('.incoming')), `temporary files left: ${names.join(', ')}`);
    // Exactly the limit still goes in.
    const atLimit = await post(port, '/api/uploads?name=edge.mov', { token: TOKEN, body: randomBytes(LIMIT) });
    assert.equal(atLimit.status, 201, atLimit.body);
  });
});
