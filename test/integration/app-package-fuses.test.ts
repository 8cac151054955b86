import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { chmod, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { packAppDir, readFuses } from '../helpers/packaged-app.js';

// The release configuration flips Electron's fuses. Electron's binary cannot be downloaded here,
// so electron-builder packs the app around an ELECTRON STAND-IN: a shell script named like
// Electron's executable that carries the fuse wire Electron 41 ships (its sentinel, wire version
// 1, eight fuses in Electron's defaults: RunAsNode, NodeOptions, --inspect and file:// privileges
// on; cookie encryption, asar integrity and asar-only off). electron-builder and @electron/fuses
// are the real ones: what they write into the stand-in is what they write into Electron.
// test/electron/packaged-fuses.test.ts checks the real binary where it is installed.

const SENTINEL = 'dL7pKGdnNz796PbbjQWNKmHXBZaB9tsX';
const ELECTRON_41_DEFAULT_WIRE = '10111001';

let dir: string;
before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'fh-app-fuses-'));
});
after(() => rm(dir, { recursive: true, force: true }));

test('the packed app (electron-builder --linux dir) has RunAsNode, NODE_OPTIONS and --inspect off, cookie encryption, asar integrity and asar-only on', { timeout: 200_000 }, async () => {
  const standIn = join(dir, 'electron-stand-in');
  await mkdir(standIn);
  const wire = Buffer.concat([Buffer.from(`#!/bin/sh\necho "Electron stand-in for packaging tests: not Electron"\nexit 1\n#${SENTINEL}`), Buffer.from([1, ELECTRON_41_DEFAULT_WIRE.length]), Buffer.from(`${ELECTRON_41_DEFAULT_WIRE}\n`)]);
  await writeFile(join(standIn, 'electron'), wire);
  await chmod(join(standIn, 'electron'), 0o755);
  const before = await readFuses(join(standIn, 'electron'));
  assert.notDeepEqual(before.actual, before.expected, 'the stand-in starts from Electron\'s defaults');

  const packed = await packAppDir(standIn, join(dir, 'release'));
  assert.ok(existsSync(packed.asar), 'the app is packed in an asar');
  const { actual, expected } = await readFuses(packed.executable);
  assert.deepEqual(actual, expected);
  // The rest of the stand-in is untouched: only fuse bytes change.
  assert.equal((await readFile(packed.executable)).length, wire.length);
});
