import assert from 'node:assert/strict';
import type { ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, before, describe, test } from 'node:test';
import { generateFarmKey } from '../../node-agent/protocol/index.js';
import { frameHashes, makeClip, streamDuration, videoFrameCount } from '../helpers/media.js';
import { cleanupLeftovers, createLan, netnsAvailable, type Lan } from './netns.js';

// Chunked transcoding across a namespaced LAN: two agents found over mDNS each encode some
// of the chunks, the join is stream copy, and with a lossless codec every decoded frame of
// the result equals the input's, frame for frame, with the audio as long as the input's.

const root = fileURLToPath(new URL('../..', import.meta.url));
const prefix = `fht${process.pid}`;

function collect(child: ChildProcess): { text(): string; exited: Promise<number | null> } {
  let out = '';
  child.stdout?.on('data', (d: Buffer) => (out += d));
  child.stderr?.on('data', (d: Buffer) => (out += d));
  return { text: () => out, exited: new Promise((r) => child.once('exit', (code) => r(code))) };
}

describe('chunked transcode across a LAN of network namespaces', { timeout: 300_000 }, () => {
  let lan: Lan;
  let dir: string;

  before(async () => {
    assert.ok(await netnsAvailable(), 'the LAN tests need root and `ip netns` (iproute2)');
    assert.ok(existsSync(join(root, 'dist/node-agent/cli.js')), 'build first: npm run build');
    await cleanupLeftovers(prefix);
    lan = await createLan({ hosts: 3, prefix });
    dir = await mkdtemp(join(tmpdir(), 'fh-tlan-'));
  });
  after(async () => {
    await lan?.destroy();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  test('lossless: decoded frames identical to the input, audio as long as the input\'s, both agents encode', async () => {
    const farmKey = generateFarmKey();
    const input = join(dir, 'clip.mp4');
    // 9.3 s: not a round number of chunks. Eight chunks, so the agent that takes the audio task
    // first (~0.5 s) still finds chunks left: with four, the other agent could encode them all
    // before the audio was done (seen once in CI after chunks stopped paying an ffprobe each).
    await makeClip(input, { seconds: 9.3, rate: '25', audio: true });
    const children = [1, 2].map((h) => lan.spawn(h, process.execPath, [
      join(root, 'bin/farmhand-agent.js'), '--farm-key', farmKey, '--data-dir', join(dir, `agent-${h}`), '--name', `node-h${h}`,
      '--mdns-interface', lan.hosts[h]!.address, '--host', lan.hosts[h]!.address,
    ], { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] }));
    const agents = children.map(collect);
    try {
      for (let i = 0; i < 200 && !agents.every((a) => /listening on/.test(a.text())); i++) await new Promise((r) => setTimeout(r, 50));
      const output = join(dir, 'out', 'clip-lossless.mp4');
      const render = collect(lan.spawn(0, process.execPath, [
        join(root, 'bin/farmhand.js'), 'transcode', input, '--out', output, '--chunks', '8', '--crf', '0', '--preset', 'ultrafast',
        '--no-local-agent', '--mdns-interface', lan.hosts[0]!.address,
      ], { cwd: root, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, FARMHAND_HOME: join(dir, 'home'), FARMHAND_FARM_KEY: farmKey } }));
      assert.equal(await render.exited, 0, render.text());
      for (const agent of agents) assert.match(agent.text(), /started: transcode-chunk/, 'both agents encode chunks');

      const [want, got] = await Promise.all([frameHashes(input), frameHashes(output)]);
      assert.equal(got.length, want.length, 'frame count');
      const firstDiff = got.findIndex((h, i) => h !== want[i]);
      assert.equal(firstDiff, -1, `decoded frame ${firstDiff} differs`);
      assert.equal(await videoFrameCount(output), await videoFrameCount(input));
      const [audioIn, audioOut] = await Promise.all([streamDuration(input, 'a'), streamDuration(output, 'a')]);
      assert.ok(audioIn !== null && audioOut !== null, 'audio present');
      assert.ok(Math.abs(audioOut! - audioIn!) <= 1024 / 48000 + 1e-6, `audio ${audioOut} s vs ${audioIn} s`);
    } finally {
      for (const child of children) child.kill('SIGTERM');
      await Promise.all(agents.map((a) => Promise.race([a.exited, new Promise((r) => setTimeout(r, 3000))])));
    }
  });
});
