import { execFile } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { promisify } from 'node:util';
import { inflateSync } from 'node:zlib';

/**
 * Decoded pixels of rendered images, compared channel by channel. Blender's PNGs carry dates
 * and render times in their metadata, so renders are compared by decoded pixels (rgb24), never
 * by bytes. The 8-bit PNGs Blender writes by default are decoded here (a test compares
 * hundreds, and an ffmpeg process each cost seconds on a busy machine); anything else (16-bit,
 * palette, interlaced, EXR, JPEG) goes through ffmpeg, which writes one PPM whose header gives
 * the size.
 */
const run = promisify(execFile);

export interface RgbImage {
  width: number;
  height: number;
  /** width × height × 3 bytes, rows top to bottom */
  data: Buffer;
}

export async function decodeRgb(file: string, ffmpegPath = process.env.FARMHAND_FFMPEG || 'ffmpeg'): Promise<RgbImage> {
  const simple = decodeSimplePng(await readFile(file));
  if (simple) return simple;
  const { stdout } = await run(ffmpegPath, ['-v', 'error', '-i', file, '-frames:v', '1', '-pix_fmt', 'rgb24', '-c:v', 'ppm', '-f', 'image2pipe', '-'],
    { encoding: 'buffer', maxBuffer: 256 * 1024 * 1024 });
  const header = /^P6\s+(\d+)\s+(\d+)\s+255\s/.exec(stdout.subarray(0, 64).toString('latin1'));
  if (!header) throw new Error(`ffmpeg did not decode ${file} to an RGB image.`);
  const width = Number(header[1]);
  const height = Number(header[2]);
  const data = stdout.subarray(header[0].length);
  if (data.length !== width * height * 3) throw new Error(`ffmpeg decoded ${data.length} bytes of ${file}, expected ${width}×${height}×3.`);
  return { width, height, data };
}

export interface PixelDiff {
  sameSize: boolean;
  /** The largest difference of one channel of one pixel, 0–255 (255 when the sizes differ). */
  maxChannelDiff: number;
  /** Share of pixels (0–1) with any channel different. */
  differingShare: number;
}

export async function comparePixels(a: string, b: string): Promise<PixelDiff> {
  const [x, y] = await Promise.all([decodeRgb(a), decodeRgb(b)]);
  if (x.width !== y.width || x.height !== y.height) return { sameSize: false, maxChannelDiff: 255, differingShare: 1 };
  let max = 0;
  let differing = 0;
  for (let i = 0; i < x.data.length; i += 3) {
    let pixel = 0;
    for (let c = 0; c < 3; c++) pixel = Math.max(pixel, Math.abs(x.data[i + c]! - y.data[i + c]!));
    if (pixel > 0) differing++;
    max = Math.max(max, pixel);
  }
  return { sameSize: true, maxChannelDiff: max, differingShare: differing / (x.width * x.height) };
}

/**
 * Share of pixels (0–1) that are Blender's missing-image magenta (1, 0, 1 under the Standard
 * view transform; edges blend it with neighbours, hence the margins).
 */
export async function magentaShare(file: string): Promise<number> {
  const { width, height, data } = await decodeRgb(file);
  let magenta = 0;
  for (let i = 0; i < data.length; i += 3) {
    const r = data[i]!;
    const g = data[i + 1]!;
    const b = data[i + 2]!;
    if (r >= 180 && b >= 180 && g <= 90) magenta++;
  }
  return magenta / (width * height);
}

const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
/** Channels per colour type this decoder reads (8-bit, not interlaced): grey, RGB, grey+alpha, RGBA. */
const CHANNELS: Record<number, number> = { 0: 1, 2: 3, 4: 2, 6: 4 };

/** A non-interlaced 8-bit grey/RGB(A) PNG as rgb24 (alpha dropped), or null for any other file. */
function decodeSimplePng(bytes: Buffer): RgbImage | null {
  if (bytes.length < 33 || !bytes.subarray(0, 8).equals(PNG_SIGNATURE) || bytes.toString('latin1', 12, 16) !== 'IHDR') return null;
  const width = bytes.readUInt32BE(16);
  const height = bytes.readUInt32BE(20);
  const channels = CHANNELS[bytes[25]!];
  if (bytes[24] !== 8 || channels === undefined || bytes[28] !== 0) return null;
  const idat: Buffer[] = [];
  for (let at = 8; at + 8 <= bytes.length;) {
    const length = bytes.readUInt32BE(at);
    const kind = bytes.toString('latin1', at + 4, at + 8);
    if (kind === 'IDAT') idat.push(bytes.subarray(at + 8, at + 8 + length));
    if (kind === 'IEND') break;
    at += 12 + length;
  }
  const raw = inflateSync(Buffer.concat(idat));
  const stride = width * channels;
  if (raw.length !== height * (stride + 1)) return null;
  const rows = Buffer.alloc(height * stride);
  for (let y = 0; y < height; y++) {
    const filter = raw[y * (stride + 1)]!;
    const src = y * (stride + 1) + 1;
    const row = y * stride;
    for (let x = 0; x < stride; x++) {
      const a = x >= channels ? rows[row + x - channels]! : 0;
      const b = y > 0 ? rows[row - stride + x]! : 0;
      const c = x >= channels && y > 0 ? rows[row - stride + x - channels]! : 0;
      let predicted: number;
      if (filter === 0) predicted = 0;
      else if (filter === 1) predicted = a;
      else if (filter === 2) predicted = b;
      else if (filter === 3) predicted = (a + b) >> 1;
      else if (filter === 4) {
        const p = a + b - c;
        const pa = Math.abs(p - a);
        const pb = Math.abs(p - b);
        const pc = Math.abs(p - c);
        predicted = pa <= pb && pa <= pc ? a : pb <= pc ? b : c;
      } else return null;
      rows[row + x] = (raw[src + x]! + predicted) & 0xff;
    }
  }
  const data = Buffer.alloc(width * height * 3);
  for (let i = 0; i < width * height; i++) {
    const p = i * channels;
    if (channels <= 2) data.fill(rows[p]!, i * 3, i * 3 + 3);
    else rows.copy(data, i * 3, p, p + 3);
  }
  return { width, height, data };
}
