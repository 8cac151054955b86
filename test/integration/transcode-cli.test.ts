import assert from 'node:assert/strict';
import { execFile, spawn } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { after, before, describe, test } from 'node:test';
import { makeTestScene } from '../fixtures/test-scene.js';
import { generateFarmKey } from '../../node-agent/protocol/index.js';
import { freePort } from '../helpers/free-port.js';
import { frameHashes, frameRate, makeClip, perFramePsnr, streamDuration, videoFrameCount } from '../helpers/media.js';

// `farmhand transcode` and `render --video` as a user runs them (built CLI, embedded local
// agent on loopback, no discovery), checked against real ffmpeg single-pass results.

const root = fileURLToPath(new URL('../..', import.meta.url));
const run = promisify(execFile);

function farmhand(args: string[], env: Record<string, string>, timeoutMs = 240_000): Promise<{ code: number | null; out: string; ms: number }> {
  const started = Date.now();
  const child = spawn(process.execPath, [join(root, 'bin/farmhand.js'), ...args, '--no-discover'], { cwd: root, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout.on('data', (d: Buffer) => (out += d));
  child.stderr.on('data', (d: Buffer) => (out += d));
  const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
  return new Promise((resolve) => child.once('exit', (code) => {
    clearTimeout(timer);
    resolve({ code, out, ms: Date.now() - started });
  }));
}

describe('farmhand transcode (CLI)', { timeout: 600_000 }, () => {
  let dir: string;
  let env: Record<string, string>;
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'fh-tcli-'));
    env = { FARMHAND_HOME: join(dir, 'home') };
  });
  after(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  test('lossy with scaling: same frame count and duration as a single pass, no seam duplicates or drops a frame', async () => {
    const input = join(dir, 'lossy.mp4');
    await makeClip(input, { seconds: 6.5, rate: '25', audio: true });
    const farm = join(dir, 'lossy-farm.mp4');
    const r = await farmhand(['transcode', input, '--out', farm, '--chunks', '3', '--crf', '23', '--preset', 'veryfast', '--scale', '160x90'], env);
    assert.equal(r.code, 0, r.out);
    const single = join(dir, 'lossy-single.mp4');
    await run('ffmpeg', ['-v', 'error', '-y', '-i', input, '-vf', 'scale=160:90', '-c:v', 'libx264', '-crf', '23', '-preset', 'veryfast', '-c:a', 'aac', '-b:a', '192k', single]);
    assert.equal(await videoFrameCount(farm), await videoFrameCount(single));
    const [dFarm, dSingle] = await Promise.all([streamDuration(farm, 'v'), streamDuration(single, 'v')]);
    assert.ok(Math.abs(dFarm! - dSingle!) < 1e-3, `video duration ${dFarm} vs ${dSingle}`);
    // A duplicated or missing frame at a seam shifts every later frame of a moving test
    // pattern, and PSNR against the single pass collapses from there on.
    const psnr = await perFramePsnr(farm, single);
    assert.equal(psnr.length, await videoFrameCount(single));
    const worst = Math.min(...psnr);
    assert.ok(worst > 28, `worst per-frame PSNR ${worst.toFixed(1)} dB at frame ${psnr.indexOf(worst)}`);
  });

  test('NTSC 30000/1001 MOV with audio, lossless: identical frames at the same rate', async () => {
    const input = join(dir, 'ntsc.mov');
    await makeClip(input, { seconds: 5.2, rate: '30000/1001', audio: true });
    const out = join(dir, 'ntsc-farm.mp4');
    const r = await farmhand(['transcode', input, '--out', out, '--chunks', '3', '--crf', '0', '--preset', 'ultrafast'], env);
    assert.equal(r.code, 0, r.out);
    assert.deepEqual(await frameHashes(out), await frameHashes(input));
    assert.equal(await frameRate(out), '30000/1001');
    const [a, b] = await Promise.all([streamDuration(input, 'a'), streamDuration(out, 'a')]);
    assert.ok(Math.abs(a! - b!) <= 1024 / 48000 + 1e-6, `audio ${b} vs ${a}`);
  });

  test('24000/1001 MKV without audio, lossless: identical frames, no audio invented', async () => {
    const input = join(dir, 'film.mkv');
    await makeClip(input, { seconds: 4.4, rate: '24000/1001', audio: false });
    const out = join(dir, 'film-farm.mp4');
    const r = await farmhand(['transcode', input, '--out', out, '--chunks', '2', '--crf', '0', '--preset', 'ultrafast'], env);
    assert.equal(r.code, 0, r.out);
    assert.deepEqual(await frameHashes(out), await frameHashes(input));
    assert.equal(await streamDuration(out, 'a'), null);
  });

  test('MPEG-TS (no seek index, non-zero start time), lossless: decoded from the start per chunk, identical frames', async () => {
    const input = join(dir, 'broadcast.ts');
    await makeClip(input, { seconds: 4.3, rate: '25', audio: true });
    const out = join(dir, 'broadcast-farm.mp4');
    const r = await farmhand(['transcode', input, '--out', out, '--chunks', '3', '--crf', '0', '--preset', 'ultrafast'], env);
    assert.equal(r.code, 0, r.out);
    assert.deepEqual(await frameHashes(out), await frameHashes(input));
  });

  test('an agent started with a relative --data-dir runs ffmpeg tasks (its cache paths are absolute)', async () => {
    const input = join(dir, 'relative.mp4');
    await makeClip(input, { seconds: 2.2, rate: '25', audio: true });
    const agentCwd = await mkdtemp(join(dir, 'agent-cwd-'));
    const farmKey = generateFarmKey();
    const port = await freePort();
    const agent = spawn(process.execPath, [join(root, 'bin/farmhand-agent.js'), '--no-mdns', '--host', '127.0.0.1', '--port', String(port), '--farm-key', farmKey, '--data-dir', 'agent-data', '--quiet'],
      { cwd: agentCwd, env: { ...process.env, FARMHAND_FARM_KEY: '' }, stdio: 'ignore' });
    try {
      const out = join(dir, 'relative-farm.mp4');
      const r = await farmhand(['transcode', input, '--out', out, '--chunks', '2', '--crf', '0', '--preset', 'ultrafast', '--no-local-agent', '--agent', `wss://127.0.0.1:${port}`, '--farm-key', farmKey], env, 60_000);
      assert.equal(r.code, 0, r.out);
      assert.deepEqual(await frameHashes(out), await frameHashes(input));
    } finally {
      agent.kill('SIGTERM');
    }
  });

  test('bad inputs fail fast with one sentence naming the file', async () => {
    const text = join(dir, 'notes.mp4');
    await writeFile(text, 'not a video at all\n');
    const empty = join(dir, 'empty.mp4');
    await writeFile(empty, '');
    const audioOnly = join(dir, 'voice.m4a');
    await run('ffmpeg', ['-v', 'error', '-y', '-f', 'lavfi', '-i', 'sine=frequency=300:sample_rate=48000', '-t', '2', '-c:a', 'aac', audioOnly]);
    const whole = join(dir, 'whole.mp4');
    await makeClip(whole, { seconds: 4, rate: '25', audio: true });
    const truncated = join(dir, 'truncated.mp4');
    const bytes = await readFile(whole);
    await writeFile(truncated, bytes.subarray(0, Math.floor(bytes.length / 2)));
    for (const [file, pattern] of [[text, /notes\.mp4/], [empty, /empty\.mp4/], [audioOnly, /voice\.m4a.*(no video|audio only|audio-only)/i], [truncated, /truncated\.mp4/], [join(dir, 'missing.mp4'), /missing\.mp4/]] as const) {
      const r = await farmhand(['transcode', file, '--out', join(dir, 'never.mp4')], env, 30_000);
      assert.equal(r.code, 2, `${file}: ${r.out}`);
      assert.match(r.out, pattern);
      assert.doesNotMatch(r.out, /\n\s+at /, 'no stack trace');
      assert.equal(r.out.trim().split('\n').length, 1, r.out);
      assert.ok(r.ms < 10_000, `${file} took ${r.ms} ms`);
    }
  });

  test('--local-agent-types names what it accepts when given a task type that does not exist', async () => {
    const r = await farmhand(['transcode', join(dir, 'any.mp4'), '--local-agent-types', 'transcode-join,render'], env, 30_000);
    assert.equal(r.code, 2, r.out);
    assert.match(r.out, /--local-agent-types takes blender, transcode-chunk, transcode-audio, transcode-join, frames-video, tiles-merge .*not "render"/);
    assert.doesNotMatch(r.out, /\n\s+at /, 'no stack trace');
  });

  test('render --video: an MP4 with exactly the rendered frames at the scene\'s rate', async () => {
    const scene = await makeTestScene(dir, { frames: 6 });
    const out = join(dir, 'frames');
    const r = await farmhand(['render', scene, '--out', out, '--video', '--chunk', '3'], env);
    assert.equal(r.code, 0, r.out);
    const video = join(out, 'test-scene.mp4');
    assert.equal(await videoFrameCount(video), 6);
    assert.equal(await frameRate(video), '24/1');
  });
});
