import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { createServer, request, type Server } from 'node:http';
import { connect, type AddressInfo } from 'node:net';
import { mkdtemp, readdir, readFile, readlink, rm } from 'node:fs/promises';
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
    const req = request({ host: '127.0.0.1', port, path, method: o.method ?? 'POST', headers, agent: false }, (res) => {
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

/** Open file descriptors of this process: every upload's file and socket shows up here. */
async function openFds(): Promise<number> {
  return (await readdir('/proc/self/fd')).length;
}

/** What the open descriptors point at, for the failure message. */
async function fdTargets(): Promise<string> {
  const fds = await readdir('/proc/self/fd');
  const targets = await Promise.all(fds.map((fd) => readlink(`/proc/self/fd/${fd}`).catch(() => '?')));
  return targets.filter((t) => !t.startsWith('anon_inode:') && !t.startsWith('/dev/')).join(', ');
}

/** Polls until `check` holds or `ms` pass; returns the last value seen. */
async function settle<T>(read: () => Promise<T>, check: (value: T) => boolean, ms = 5_000): Promise<T> {
  const deadline = Date.now() + ms;
  let value = await read();
  while (!check(value) && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 25));
    value = await read();
  }
  return value;
}

/**
 * Speaks raw HTTP over TCP, so the request can be what no well-behaved client sends: `head`
 * then `body`, then either hangs up at once (`hangUp`) or waits for whatever comes back until
 * the server closes (bounded at 5 s).
 */
function rawRequest(port: number, head: string, body: Buffer, hangUp: boolean): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1');
    let answer = '';
    const timer = setTimeout(() => socket.destroy(), 5_000);
    socket.setEncoding('utf8');
    socket.on('data', (c: string) => (answer += c));
    socket.once('error', (error) => (hangUp ? undefined : reject(error)));
    socket.once('close', () => {
      clearTimeout(timer);
      resolve(answer);
    });
    socket.once('connect', () => {
      socket.write(head);
      socket.write(body, () => {
        if (hangUp) socket.destroy();
      });
    });
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

  test('Upload aborts leave no fd and no temp file', async () => {
    const uploads = join(dir, 'uploads');
    const head = (extra: string) => `POST /api/uploads?name=abort.blend HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer ${TOKEN}\r\n${extra}\r\n`;
    const leftovers = async () => (await readdir(uploads).catch(() => [] as string[])).filter((n) => n.startsWith('.incoming-'));
    // Every way a body can go wrong on the wire: whole then gone before the answer, longer than
    // declared, shorter than declared then gone, chunked and cut off mid-chunk.
    const abuses: [string, () => Promise<string>][] = [
      ['whole body, then the client hangs up before the reply', () => rawRequest(port, head('Content-Length: 30000\r\n'), randomBytes(30_000), true)],
      ['body longer than its Content-Length', () => rawRequest(port, head('Content-Length: 1000\r\n'), randomBytes(20_000), false)],
      ['body shorter than its Content-Length, then the client hangs up', () => rawRequest(port, head('Content-Length: 40000\r\n'), randomBytes(20_000), true)],
      ['chunked body cut off mid-chunk', () => rawRequest(port, head('Transfer-Encoding: chunked\r\n'), Buffer.concat([Buffer.from('2000\r\n'), randomBytes(0x2000), Buffer.from('\r\n4000\r\n'), randomBytes(100)]), true)],
    ];
    await post(port, '/api/uploads?name=warm.blend', { token: TOKEN, body: Buffer.from('warm-up') }); // lazy fds (uploads dir, libuv) opened once
    await new Promise((resolve) => setTimeout(resolve, 200)); // its connection closes on both ends
    const before = await openFds();
    for (const [what, abuse] of abuses) {
      await abuse();
      const fds = await settle(openFds, (n) => n <= before);
      assert.equal(fds, before, `${what}: ${fds - before} file descriptors left open (${await fdTargets()})`);
      assert.deepEqual(await settle(leftovers, (l) => l.length === 0), [], `${what}: temporary file left`);
    }
    // Fifty of them, all at once, leave the count where it was.
    await Promise.all(Array.from({ length: 50 }, (_, i) => abuses[i % abuses.length][1]()));
    const fds = await settle(openFds, (n) => n <= before);
    assert.equal(fds, before, `after 50 aborted uploads: ${fds - before} file descriptors left open (${await fdTargets()})`);
    assert.deepEqual(await settle(leftovers, (l) => l.length === 0), []);
    // And the server still takes a good upload.
    const good = await post(port, '/api/uploads?name=after.blend', { token: TOKEN, body: randomBytes(5_000) });
    assert.equal(good.status, 201, good.body);
  });
});
