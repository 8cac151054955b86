import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { ExrHeaderError, MAX_EXR_HEADER_BYTES, parseExrHeader, readExrHeader } from './exr-header.js';

/** An EXR start: magic, version 2 with `flags`, then the given header bytes. */
function exr(body: Buffer[], flags = 0): Buffer {
  const start = Buffer.alloc(8);
  start.writeInt32LE(20000630, 0);
  start.writeInt32LE(2 | flags, 4);
  return Buffer.concat([start, ...body]);
}
function attribute(name: string, type: string, value: Buffer): Buffer {
  const size = Buffer.alloc(4);
  size.writeInt32LE(value.length);
  return Buffer.concat([Buffer.from(`${name}\0${type}\0`, 'latin1'), size, value]);
}
function chlist(names: string[]): Buffer {
  return Buffer.concat([...names.map((n) => Buffer.concat([Buffer.from(`${n}\0`), Buffer.alloc(16)])), Buffer.from([0])]);
}
function stringvector(items: string[]): Buffer {
  return Buffer.concat(items.map((s) => { const n = Buffer.alloc(4); n.writeInt32LE(Buffer.byteLength(s)); return Buffer.concat([n, Buffer.from(s)]); }));
}
const end = Buffer.from([0]);
const fails = (bytes: Buffer, message: RegExp) => assert.throws(() => parseExrHeader(bytes), (e: unknown) => e instanceof ExrHeaderError && message.test(e.message));

test('channels and multiView are read from among other attributes', () => {
  const header = exr([
    attribute('compression', 'compression', Buffer.from([3])),
    attribute('channels', 'chlist', chlist(['A Layer.Combined.left.R', 'A Layer.Combined.right.R'])),
    attribute('multiView', 'stringvector', stringvector(['left', 'right'])),
    end, Buffer.from('pixel data follows'),
  ]);
  assert.deepEqual(parseExrHeader(header), { channels: ['A Layer.Combined.left.R', 'A Layer.Combined.right.R'], pixelTypes: [0, 0], multiView: ['left', 'right'] });
  assert.deepEqual(parseExrHeader(exr([end])), { channels: [], pixelTypes: [], multiView: null });
});

test('a multi-part file: every part\'s channels, up to the empty header after the last', () => {
  const part = (names: string[]) => Buffer.concat([attribute('channels', 'chlist', chlist(names)), end]);
  assert.deepEqual(parseExrHeader(exr([part(['a.R']), part(['b.R']), end], 0x1000)).channels, ['a.R', 'b.R']);
});

test('anything malformed or unbounded is an ExrHeaderError, never a crash or a long read', () => {
  fails(Buffer.from('not an exr at all'), /does not start like an OpenEXR file/);
  fails(Buffer.alloc(3), /does not start like/);
  fails(exr([Buffer.from('channels\0chlist\0')]), /ends inside a size/);
  fails(exr([attribute('channels', 'chlist', chlist(['x'])).subarray(0, 20)]), /runs past the end/);
  const negative = attribute('x', 'int', Buffer.alloc(4));
  negative.writeInt32LE(-5, 'x\0int\0'.length);
  fails(exr([negative, end]), /runs past the end/);
  fails(exr([Buffer.from('a'.repeat(300)), end]), /not ended within 255 bytes/);
  fails(exr([Buffer.from('no terminator')]), /not ended/);
  fails(exr([attribute('channels', 'chlist', Buffer.concat([Buffer.from('R\0'), Buffer.alloc(8)])), end]), /channel description runs past/);
  fails(exr([attribute('channels', 'chlist', chlist(Array.from({ length: 10_001 }, (_, i) => `c${i}`))), end]), /more than 10000 channels/);
  const manyParts = Array.from({ length: 70 }, () => Buffer.concat([attribute('n', 'int', Buffer.alloc(4)), end]));
  fails(exr(manyParts, 0x1000), /more than 64 parts/);
  assert.equal(MAX_EXR_HEADER_BYTES, 1024 * 1024);
});

test('a header longer than the first read (64 KiB) is read again up to 1 MiB; past that it is refused', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'fh-exr-'));
  try {
    const big = attribute('comment', 'string', Buffer.alloc(200 * 1024, 0x61));
    const long = join(dir, 'long.exr');
    await writeFile(long, exr([big, attribute('channels', 'chlist', chlist(['L.Combined.R'])), end]));
    assert.deepEqual((await readExrHeader(long)).channels, ['L.Combined.R']);
    const huge = join(dir, 'huge.exr');
    await writeFile(huge, exr([attribute('comment', 'string', Buffer.alloc(MAX_EXR_HEADER_BYTES, 0x61)), end]));
    await assert.rejects(readExrHeader(huge), (e: unknown) => e instanceof ExrHeaderError && /runs past the end of the header/.test(e.message));
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
