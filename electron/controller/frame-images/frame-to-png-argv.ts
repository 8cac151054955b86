import type { FrameImageFormat } from '../api/contract.js';

/**
 * The ffmpeg command line that turns one frame the browser cannot show (EXR, TIFF, BMP, Targa)
 * into a PNG of the same size on stdout, as pure data so it is tested without a process.
 *
 * EXR holds linear light. Exposure is applied here, on the decoded float values, before the
 * sRGB curve: a stop doubles the light, and values above 1.0 (highlights a camera would clip)
 * come back into view when stopped down. A canvas in the browser could only scale 8-bit sRGB
 * values already clipped at 1.0, so it could brighten but never recover a highlight; that is
 * why exposure is the controller's job. ffmpeg's `exposure` filter multiplies float RGB by
 * 2^stops but takes at most ±3 stops, so larger values are chained; `zscale` then applies the
 * sRGB curve, and `format` keeps alpha when the frame has it.
 */
export interface FrameToPngJob {
  /** The frame file's real path (already checked to lie in the job's output folder). */
  source: string;
  format: FrameImageFormat;
  /** The EXR layer holding the picture (multilayer files, thumbnails/exr-layer.ts). */
  exrLayer?: string | null;
  /** Stops, EXR only. */
  exposure: number;
}

/** The exposure filter's own limit per instance. */
const STOPS_PER_FILTER = 3;

export function frameToPngArgv(job: FrameToPngJob): string[] {
  const exr = job.format === 'exr';
  const filters = exr ? [...exposureFilters(job.exposure), 'zscale=transferin=linear:transfer=iec61966-2-1', 'format=rgba|rgb24'] : [];
  return [
    '-hide_banner', '-v', 'error', '-nostdin',
    '-threads', '2', '-filter_threads', '1',
    ...(exr && job.exrLayer ? ['-layer', job.exrLayer] : []),
    // `file:` reads the name literally: a `%` in a folder's name is not an image-sequence pattern.
    '-i', `file:${job.source}`,
    '-map', '0:v:0', '-frames:v', '1',
    ...(filters.length > 0 ? ['-vf', filters.join(',')] : []),
    // Level 3 of 9: a 1080p frame encodes several times faster than at the default, a little larger.
    '-c:v', 'png', '-compression_level', '3', '-f', 'image2pipe', 'pipe:1',
  ];
}

/** `exposure=exposure=S` filters whose stops add up to `stops`, none beyond ±3; none for 0. */
export function exposureFilters(stops: number): string[] {
  const filters: string[] = [];
  let left = Math.round(stops * 1000) / 1000;
  for (let i = 0; i < 10 && left !== 0; i++) {
    const step = Math.max(-STOPS_PER_FILTER, Math.min(STOPS_PER_FILTER, left));
    filters.push(`exposure=exposure=${step}`);
    left = Math.round((left - step) * 1000) / 1000;
  }
  return filters;
}
