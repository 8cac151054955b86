import { extname } from 'node:path';

/**
 * The ffmpeg command line that turns frames into thumbnails, as pure data so it can be tested
 * without a process. Several frames go through one process (one `-i` and one output each):
 * ffmpeg's start-up (~0.2 s here, loading its libraries) costs more than decoding a 1080p PNG
 * and scaling it (~0.06 s), so batching of 8 measured 0.09 s a frame against 0.22 s alone.
 * Each output maps its own input, so a damaged frame leaves only its own output empty.
 *
 * A thumbnail fits in THUMBNAIL_BOX × THUMBNAIL_BOX, keeps the frame's aspect, is never
 * enlarged, and is a baseline JPEG (every browser decodes it; ~2–6 KB at 160 × 90).
 * EXR frames hold linear light: the decoder applies the sRGB curve so they are not dark, and
 * a multilayer one is told which layer holds the picture (exr-layer.ts).
 */
export const THUMBNAIL_BOX = 160;
/** ffmpeg's JPEG quality scale, 2 (best) to 31: 5 keeps edges readable at 160 px in few bytes. */
const JPEG_QUALITY = 5;

export interface ThumbnailJob {
  source: string;
  target: string;
  /** The EXR layer holding the picture (multilayer files, see exr-layer.ts); absent for plain R, G, B. */
  exrLayer?: string | null;
}

export function thumbnailArgv(jobs: readonly ThumbnailJob[]): string[] {
  if (jobs.length === 0) throw new Error('A thumbnail batch needs at least one frame.');
  const scale = `scale=w='min(${THUMBNAIL_BOX},iw)':h='min(${THUMBNAIL_BOX},ih)':force_original_aspect_ratio=decrease`;
  return [
    '-hide_banner', '-v', 'error', '-nostdin', '-y',
    // One thread each: thumbnails are background work next to renders on this machine.
    '-threads', '1', '-filter_threads', '1',
    // `file:` reads the name literally (ffmpeg then detects the image by its content): a `%` in
    // a folder's name is not taken for an image-sequence pattern.
    ...jobs.flatMap(({ source, exrLayer }) => [...(isExr(source) ? exrOptions(exrLayer) : []), '-i', `file:${source}`]),
    ...jobs.flatMap(({ target }, i) => ['-map', `${i}:v:0`, '-frames:v', '1', '-vf', scale, '-pix_fmt', 'yuvj420p', '-q:v', String(JPEG_QUALITY), '-f', 'mjpeg', target]),
  ];
}

function exrOptions(layer: string | null | undefined): string[] {
  return ['-apply_trc', 'iec61966_2_1', ...(layer ? ['-layer', layer] : [])];
}

export function isExr(path: string): boolean {
  return extname(path).toLowerCase() === '.exr';
}
