import { execFile } from 'node:child_process';
import { promisify } from 'node:util';

/**
 * Decoded pixels of rendered images, compared channel by channel. Blender's PNGs carry dates
 * and render times in their metadata, so renders are compared by what ffmpeg decodes (rgb24),
 * never by bytes. ffmpeg writes one PPM (P6) whose header gives the size, so one process does it.
 */
const run = promisify(execFile);

export interface RgbImage {
  width: number;
  height: number;
  /** width × height × 3 bytes, rows top to bottom */
  data: Buffer;
}

export async function decodeRgb(file: string, ffmpegPath = process.env.FARMHAND_FFMPEG || 'ffmpeg'): Promise<RgbImage> {
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
