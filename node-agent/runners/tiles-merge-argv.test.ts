import assert from 'node:assert/strict';
import { execFile, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { after, before, test } from 'node:test';
import { buildTilesMergeArgv, exrDepthOf, type TileRect } from './tiles-merge-argv.js';

// The merge with the real ffmpeg: tiles are full-size images whose own rectangle holds the
// frame's pixels and whose rest is noise; the merged file must decode to the frame's bytes
// exactly, in every pixel format Blender writes PNG and EXR in.

const run = promisify(execFile);
let dir: string;
before(async () => { dir = await mkdtemp(join(tmpdir(), 'fh-tiles-merge-')); });
after(async () => { if (dir) await rm(dir, { recursive: true, force: true }); });

const W = 37;
const H = 23;
const TILES: TileRect[] = [{ x: 0, y: 0, width: 12, height: 23 }, { x: 12, y: 0, width: 12, height: 23 }, { x: 24, y: 0, width: 13, height: 11 }, { x: 24, y: 11, width: 13, height: 12 }];

function encode(raw: Buffer, pixFmt: string, out: string, encoder: string[]): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn('ffmpeg', ['-v', 'error', '-y', '-f', 'rawvideo', '-pix_fmt', pixFmt, '-s', `${W}x${H}`, '-i', '-', '-frames:v', '1', ...encoder, out], { stdio: ['pipe', 'ignore', 'pipe'] });
    let err = '';
    child.stderr.on('data', (c: Buffer) => (err += c.toString()));
    child.once('close', (code) => (code === 0 ? resolve() : reject(new Error(err))));
    child.stdin.end(raw);
  });
}

async function decode(file: string, pixFmt: string): Promise<Buffer> {
  return (await run('ffmpeg', ['-v', 'error', '-i', file, '-f', 'rawvideo', '-pix_fmt', pixFmt, '-'], { encoding: 'buffer', maxBuffer: 1 << 24 })).stdout;
}

/** Per pixel, `bytesPerPixel` bytes of the frame inside `rect`, of `noise` outside; planar formats pass `planes`. */
function tileOf(frame: Buffer, noise: Buffer, rect: TileRect, bytesPerSample: number, planes: number): Buffer {
  const out = Buffer.from(noise);
  const plane = W * H * bytesPerSample;
  const perPixel = planes === 1 ? frame.length / (W * H) : bytesPerSample;
  for (let p = 0; p < planes; p++) {
    for (let y = rect.y; y < rect.y + rect.height; y++) {
      const start = p * plane + (y * W + rect.x) * perPixel;
      frame.copy(out, start, start, start + rect.width * perPixel);
    }
  }
  return out;
}

/** Half-float-exact samples: multiples of 1/256 in 0..4 as 32-bit floats, planar. */
function halfExactFloats(): Buffer {
  const b = Buffer.alloc(W * H * 4 * 4);
  for (let i = 0; i < W * H * 4; i++) b.writeFloatLE(Math.floor(Math.random() * 1024) / 256, i * 4);
  return b;
}

const CASES = [
  { name: '8-bit RGBA PNG', pixFmt: 'rgba', ext: 'png', encoder: ['-c:v', 'png'], frame: () => randomBytes(W * H * 4), bytes: 1, planes: 1 },
  { name: '16-bit RGBA PNG', pixFmt: 'rgba64be', ext: 'png', encoder: ['-c:v', 'png'], frame: () => randomBytes(W * H * 8), bytes: 2, planes: 1 },
  { name: '8-bit RGB PNG', pixFmt: 'rgb24', ext: 'png', encoder: ['-c:v', 'png'], frame: () => randomBytes(W * H * 3), bytes: 1, planes: 1 },
  { name: '16-bit BW PNG', pixFmt: 'gray16be', ext: 'png', encoder: ['-c:v', 'png'], frame: () => randomBytes(W * H * 2), bytes: 2, planes: 1 },
  { name: 'half-float RGBA EXR', pixFmt: 'gbrapf32le', ext: 'exr', encoder: ['-c:v', 'exr', '-format', 'half'], frame: halfExactFloats, bytes: 4, planes: 4 },
  { name: 'float RGBA EXR', pixFmt: 'gbrapf32le', ext: 'exr', encoder: ['-c:v', 'exr', '-format', 'float'], frame: halfExactFloats, bytes: 4, planes: 4 },
] as const;

for (const c of CASES) {
  test(`a ${c.name} merges to the frame's exact pixels`, async () => {
    const frame = c.frame();
    const whole = join(dir, `whole-${c.pixFmt}-${c.encoder.join('')}.${c.ext}`);
    await encode(frame, c.pixFmt, whole, [...c.encoder]);
    const expected = await decode(whole, c.pixFmt);
    const inputs: string[] = [];
    for (const [i, rect] of TILES.entries()) {
      const tile = join(dir, `tile${i}-${c.pixFmt}.${c.ext}`);
      await encode(tileOf(frame, c.frame(), rect, c.bytes, c.planes), c.pixFmt, tile, [...c.encoder]);
      inputs.push(tile);
    }
    const output = join(dir, `merged-${c.pixFmt}.${c.ext}`);
    const exrDepth = c.ext === 'exr' ? await exrDepthOf(inputs[0]!) : undefined;
    if (c.ext === 'exr') assert.equal(exrDepth, c.encoder.at(-1), 'the depth is read from the tile');
    await run('ffmpeg', buildTilesMergeArgv({ inputs, tiles: TILES, output, ...(exrDepth ? { exrDepth } : {}) }));
    const merged = await decode(output, c.pixFmt);
    assert.equal(merged.length, expected.length);
    assert.ok(merged.equals(expected), 'the merged pixels equal the frame\'s');
    const probe = await run('ffprobe', ['-v', 'error', '-show_entries', 'stream=pix_fmt', '-of', 'csv=p=0', output]);
    const wholeProbe = await run('ffprobe', ['-v', 'error', '-show_entries', 'stream=pix_fmt', '-of', 'csv=p=0', whole]);
    assert.equal(probe.stdout.trim(), wholeProbe.stdout.trim(), 'the merged file keeps the pixel format');
  });
}

test('the argv crops each tile at its own place and stacks them there', () => {
  const argv = buildTilesMergeArgv({ inputs: ['a.png', 'b.png'], tiles: [{ x: 0, y: 0, width: 5, height: 3 }, { x: 5, y: 0, width: 4, height: 3 }], output: 'f.png' });
  assert.equal(argv[argv.indexOf('-filter_complex') + 1], '[0:v]crop=5:3:0:0:exact=1[t0];[1:v]crop=4:3:5:0:exact=1[t1];[t0][t1]xstack=inputs=2:layout=0_0|5_0[out]');
  assert.throws(() => buildTilesMergeArgv({ inputs: ['a.png'], tiles: [{ x: 0, y: 0, width: 1, height: 1 }, { x: 1, y: 0, width: 1, height: 1 }], output: 'f.png' }), /one input per tile \(2\), not 1/);
});
