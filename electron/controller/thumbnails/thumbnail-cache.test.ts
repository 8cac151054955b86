import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { mkdir, readdir, readFile, stat, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { promisify } from 'node:util';
import { findFfmpeg } from './find-ffmpeg.js';
import { ThumbnailCache, ThumbnailsUnavailable } from './thumbnail-cache.js';
import { ThumbnailError, ThumbnailMaker } from './thumbnail-maker.js';

// Real ffmpeg (5.1 here) on real PNG and EXR files made by ffmpeg; thumbnails decoded by ffprobe.
const run = promisify(execFile);
const dir = mkdtempSync(join(tmpdir(), 'farmhand-thumbs-'));
const frames = join(dir, 'frames');
const ffmpegPath = findFfmpeg() ?? 'ffmpeg';

async function image(name: string, size: string, extra: string[] = []): Promise<string> {
  const path = join(frames, name);
  await run('ffmpeg', ['-v', 'error', '-y', '-f', 'lavfi', '-i', `testsrc2=size=${size}`, '-frames:v', '1', ...extra, path]);
  return path;
}

/** Width, height and codec of the image ffprobe decodes from these bytes. */
async function decoded(bytes: Buffer): Promise<{ width: number; height: number; codec: string }> {
  const path = join(dir, `probe-${Math.random().toString(36).slice(2)}.jpg`);
  await writeFile(path, bytes);
  const { stdout } = await run('ffprobe', ['-v', 'error', '-show_entries', 'stream=width,height,codec_name', '-of', 'json', path]);
  const s = (JSON.parse(stdout) as { streams: { width: number; height: number; codec_name: string }[] }).streams[0]!;
  return { width: s.width, height: s.height, codec: s.codec_name };
}

function fresh(): { cache: ThumbnailCache; maker: ThumbnailMaker; home: string } {
  const home = mkdtempSync(join(dir, 'home-'));
  const maker = new ThumbnailMaker({ ffmpegPath });
  return { cache: new ThumbnailCache(join(home, 'thumbnails'), () => maker), maker, home };
}

before(async () => {
  await mkdir(frames);
  await Promise.all([
    image('hd_0001.png', '1920x1080'),
    ...[2, 3, 4, 5, 6].map((f) => image(`hd_000${f}.png`, '640x360')),
    image('tiny_0001.png', '32x18'),
    image('tall_0001.png', '90x200'),
    image('linear_0001.exr', '320x180', ['-pix_fmt', 'gbrpf32le']),
  ]);
  const png = await readFile(join(frames, 'hd_0002.png'));
  await writeFile(join(frames, 'broken_0001.png'), png.subarray(0, png.length >> 1));
  await writeFile(join(frames, 'text_0001.png'), 'not an image\n');
});

after(() => rmSync(dir, { recursive: true, force: true }));

describe('ThumbnailCache with real ffmpeg', () => {
  test('a 1080p PNG becomes a 160 × 90 JPEG of a few KB; asked again, it is read from the cache without ffmpeg', async () => {
    const { cache, maker, home } = fresh();
    const started = performance.now();
    const first = await cache.thumbnail('job1', join(frames, 'hd_0001.png'), 'hd_0001.png');
    const madeMs = performance.now() - started;
    assert.deepEqual(await decoded(first), { width: 160, height: 90, codec: 'mjpeg' });
    assert.ok(first.length > 500 && first.length < 20_000, `${first.length} bytes`);
    assert.equal(maker.processes, 1);
    assert.deepEqual(await readdir(join(home, 'thumbnails', 'job1')), ['hd_0001.png.jpg']);

    const again = performance.now();
    const second = await cache.thumbnail('job1', join(frames, 'hd_0001.png'), 'hd_0001.png');
    const cachedMs = performance.now() - again;
    assert.equal(maker.processes, 1, 'no ffmpeg for a cached thumbnail');
    assert.ok(second.equals(first));
    console.log(`# 1080p PNG → ${first.length} B JPEG: made in ${madeMs.toFixed(0)} ms, from the cache in ${cachedMs.toFixed(1)} ms`);
  });

  test('requests for the same frame at once share one ffmpeg run; different frames at once share a few', async () => {
    const { cache, maker } = fresh();
    const names = [2, 3, 4, 5, 6].map((f) => `hd_000${f}.png`);
    const started = performance.now();
    const results = await Promise.all([...names, names[0]!, names[0]!].map((name) => cache.thumbnail('job1', join(frames, name), name)));
    const ms = performance.now() - started;
    assert.equal(results.length, 7);
    for (const bytes of results) assert.deepEqual(await decoded(bytes), { width: 160, height: 90, codec: 'mjpeg' });
    assert.ok(maker.processes <= 2, `${maker.processes} ffmpeg processes for 5 frames`);
    console.log(`# 5 frames of 640×360 in ${maker.processes} ffmpeg process(es): ${(ms / 5).toFixed(0)} ms a frame`);
  });

  test('small frames are not enlarged, tall ones fit the 160 px box, EXR frames are read too', async () => {
    const { cache } = fresh();
    const thumb = (name: string) => cache.thumbnail('job1', join(frames, name), name).then(decoded);
    assert.deepEqual(await thumb('tiny_0001.png'), { width: 32, height: 18, codec: 'mjpeg' });
    const tall = await thumb('tall_0001.png');
    assert.equal(tall.height, 160);
    assert.ok(Math.abs(tall.width - 72) <= 1, `tall: ${tall.width}×${tall.height}`);
    assert.deepEqual(await thumb('linear_0001.exr'), { width: 160, height: 90, codec: 'mjpeg' });
  });

  test('a damaged frame among good ones fails alone, with ffmpeg\'s reason and what to do', async () => {
    const { cache, home } = fresh();
    const names = ['hd_0002.png', 'broken_0001.png', 'text_0001.png', 'hd_0003.png'];
    const results = await Promise.allSettled(names.map((name) => cache.thumbnail('job1', join(frames, name), name)));
    assert.deepEqual(results.map((r) => r.status), ['fulfilled', 'rejected', 'rejected', 'fulfilled']);
    for (const r of results.filter((x) => x.status === 'rejected')) {
      const error = (r as PromiseRejectedResult).reason as Error;
      assert.ok(error instanceof ThumbnailError);
      assert.match(error.message, /^ffmpeg could not make a thumbnail of (broken|text)_0001\.png \(.+\); the frame file may be damaged: rerender its task\.$/);
    }
    assert.deepEqual((await readdir(join(home, 'thumbnails', 'job1'))).sort(), ['hd_0002.png.jpg', 'hd_0003.png.jpg'], 'nothing left of the failed ones');
  });

  test('a frame rendered again (newer than its thumbnail) gets a new thumbnail', async () => {
    const { cache, maker } = fresh();
    const source = await image('again_0001.png', '320x180');
    await cache.thumbnail('job1', source, 'again_0001.png');
    await cache.thumbnail('job1', source, 'again_0001.png');
    assert.equal(maker.processes, 1);
    const later = new Date(Date.now() + 60_000);
    await utimes(source, later, later);
    await cache.thumbnail('job1', source, 'again_0001.png');
    assert.equal(maker.processes, 2);
  });

  test('a frame file that is gone is said to be gone', async () => {
    const { cache } = fresh();
    await assert.rejects(cache.thumbnail('job1', join(frames, 'gone_0001.png'), 'gone_0001.png'), /The frame file gone_0001\.png is no longer in the job's output folder; rerender its task/);
  });

  test('without ffmpeg: cached thumbnails are still served, new ones are unavailable with what to install', async () => {
    const { cache: withFfmpeg, home } = fresh();
    await withFfmpeg.thumbnail('job1', join(frames, 'hd_0002.png'), 'hd_0002.png');
    const without = new ThumbnailCache(join(home, 'thumbnails'), () => null);
    assert.ok((await without.thumbnail('job1', join(frames, 'hd_0002.png'), 'hd_0002.png')).length > 0);
    await assert.rejects(without.thumbnail('job1', join(frames, 'hd_0003.png'), 'hd_0003.png'), (e: unknown) => e instanceof ThumbnailsUnavailable && /need ffmpeg.*install ffmpeg/.test((e as Error).message));
    const broken = new ThumbnailCache(join(home, 'thumbnails'), () => new ThumbnailMaker({ ffmpegPath: join(dir, 'no-such-ffmpeg') }));
    await assert.rejects(broken.thumbnail('job1', join(frames, 'hd_0004.png'), 'hd_0004.png'), (e: unknown) => e instanceof ThumbnailError && /ENOENT/.test((e as Error).message), 'a vanished ffmpeg is an error, not a crash');
  });

  test('a deleted job\'s thumbnails go, and so do those of jobs the store no longer has', async () => {
    const { cache, home } = fresh();
    for (const job of ['keep', 'gone', 'orphan']) await cache.thumbnail(job, join(frames, 'tiny_0001.png'), 'tiny_0001.png');
    await cache.removeJob('gone');
    assert.deepEqual((await readdir(join(home, 'thumbnails'))).sort(), ['keep', 'orphan']);
    assert.equal(await cache.keepOnly(new Set(['keep'])), 1);
    assert.deepEqual(await readdir(join(home, 'thumbnails')), ['keep']);
    await assert.rejects(cache.thumbnail('../escape', join(frames, 'tiny_0001.png'), 'tiny_0001.png'), ThumbnailError);
    await assert.rejects(cache.thumbnail('keep', join(frames, 'tiny_0001.png'), '../tiny_0001.png'), ThumbnailError);
    assert.equal((await stat(join(home, 'thumbnails', 'keep', 'tiny_0001.png.jpg'))).isFile(), true);
  });
});
