import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { promisify } from 'node:util';
import { makeTestScene } from '../../../test/fixtures/test-scene.js';
import { findBlender } from '../jobs/blender/find-blender.js';
import { colourLayer, exrChannels, exrColourLayer } from './exr-layer.js';
import { findFfmpeg } from './find-ffmpeg.js';
import { ThumbnailCache } from './thumbnail-cache.js';
import { ThumbnailMaker } from './thumbnail-maker.js';

const run = promisify(execFile);
const dir = mkdtempSync(join(tmpdir(), 'farmhand-exr-'));
after(() => rmSync(dir, { recursive: true, force: true }));

/** An EXR header with these channels (and one attribute before them, as real files have). */
function header(channels: string[]): Buffer {
  const attribute = (name: string, type: string, value: Buffer) => {
    const size = Buffer.alloc(4);
    size.writeInt32LE(value.length);
    return Buffer.concat([Buffer.from(`${name}\0${type}\0`, 'latin1'), size, value]);
  };
  const chlist = Buffer.concat([...channels.map((c) => Buffer.concat([Buffer.from(`${c}\0`, 'latin1'), Buffer.alloc(16)])), Buffer.from([0])]);
  return Buffer.concat([Buffer.from([0x76, 0x2f, 0x31, 0x01, 2, 0, 0, 0]), attribute('compression', 'compression', Buffer.from([3])), attribute('channels', 'chlist', chlist), Buffer.from([0])]);
}

describe('EXR colour layer', () => {
  test('reads the channel list from the header', () => {
    assert.deepEqual(exrChannels(header(['A', 'B', 'G', 'R'])), ['A', 'B', 'G', 'R']);
    assert.equal(exrChannels(Buffer.from('not an exr')), null);
    assert.equal(exrChannels(header(['R', 'G', 'B']).subarray(0, 30)), null, 'a cut-off header is not guessed at');
  });

  test('plain R, G, B need no layer; multilayer frames use the composite, else a Combined pass', () => {
    assert.equal(colourLayer(['A', 'B', 'G', 'R']), null);
    assert.equal(colourLayer(['ViewLayer.Combined.A', 'ViewLayer.Combined.B', 'ViewLayer.Combined.G', 'ViewLayer.Combined.R', 'ViewLayer.Depth.Z']), 'ViewLayer.Combined');
    assert.equal(colourLayer(['Composite.Combined.B', 'Composite.Combined.G', 'Composite.Combined.R', 'Hero.Combined.B', 'Hero.Combined.G', 'Hero.Combined.R']), 'Composite.Combined');
    assert.equal(colourLayer(['Hero.Diffuse.B', 'Hero.Diffuse.G', 'Hero.Diffuse.R']), 'Hero.Diffuse');
    assert.equal(colourLayer(['Y', 'Z']), null);
  });

  test('a multilayer EXR rendered by Blender: its layer is found and its thumbnail made', { skip: findBlender() ? false : 'Blender is not installed' }, async () => {
    const scene = await makeTestScene(dir, { frames: 1, width: 64, height: 36, samples: 1 });
    const home = join(dir, '.blender-home');
    await mkdir(join(home, '.cache'), { recursive: true });
    await run(findBlender()!, ['-b', '-noaudio', '--factory-startup', '--disable-autoexec', scene, '-o', join(dir, 'shot_####'), '-F', 'OPEN_EXR_MULTILAYER', '-x', '1', '-f', '1'], { env: { ...process.env, HOME: home, XDG_CACHE_HOME: join(home, '.cache') } });
    const frame = join(dir, 'shot_0001.exr');
    assert.equal(await exrColourLayer(frame), 'ViewLayer.Combined');
    const cache = new ThumbnailCache(join(dir, 'thumbnails'), () => new ThumbnailMaker({ ffmpegPath: findFfmpeg() ?? 'ffmpeg' }));
    const bytes = await cache.thumbnail('job1', frame, 'shot_0001.exr');
    const probe = join(dir, 'thumb.jpg');
    await writeFile(probe, bytes);
    const { stdout } = await run('ffprobe', ['-v', 'error', '-show_entries', 'stream=width,height', '-of', 'csv=p=0', probe]);
    assert.equal(stdout.trim(), '64,36');
  });
});
