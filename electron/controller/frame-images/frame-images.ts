import { ApiError, MAX_FRAME_IMAGE_BYTES, type ApiParsedParams, type FrameImage } from '../api/contract.js';
import type { JobRecord } from '../model/job-model.js';
import { exrColourLayer } from '../thumbnails/exr-layer.js';
import { browserShows } from './image-format.js';
import type { FrameConverter } from './frame-converter.js';
import { openJobFrameFile, sizeText } from './job-frame-file.js';

/**
 * `frames.image`: one rendered frame full size for the frame viewer. It is an API command like
 * frames.thumbnails, not an HTTP route, so it goes wherever the API goes (WebSocket with the
 * token, the desktop app's IPC) under the same authentication, and names files only by job and
 * frame number (job-frame-file.ts). PNG and JPEG are sent byte for byte; EXR, TIFF, BMP and
 * Targa become PNG through the controller's ffmpeg (EXR with the asked exposure). A source
 * to convert may be larger than the answer's cap (a float EXR is several times its PNG), up to
 * MAX_CONVERT_SOURCE_BYTES, which bounds what one ffmpeg holds in memory.
 */
export const MAX_CONVERT_SOURCE_BYTES = 256 * 1024 * 1024;

export interface FrameImagesOptions {
  /** The converter, or null while the controller has no ffmpeg. */
  converter: () => FrameConverter | null;
  /** Test seam: the cap on an answer's image bytes. */
  maxImageBytes?: number;
}

export async function frameImage(job: JobRecord, p: ApiParsedParams<'frames.image'>, o: FrameImagesOptions): Promise<FrameImage> {
  const maxImageBytes = o.maxImageBytes ?? MAX_FRAME_IMAGE_BYTES;
  const probe = await openJobFrameFile(job, p.frame, MAX_CONVERT_SOURCE_BYTES);
  try {
    const direct = browserShows(probe.format);
    if (direct && probe.size > maxImageBytes) {
      throw new ApiError('bad-input', `Frame ${p.frame} (${probe.name}) is ${sizeText(probe.size)}, more than the ${sizeText(maxImageBytes)} the frame viewer loads from the controller; open it from the job's output folder.`);
    }
    let bytes: Buffer;
    if (direct) {
      bytes = Buffer.alloc(probe.size);
      const { bytesRead } = await probe.handle.read(bytes, 0, probe.size, 0);
      bytes = bytes.subarray(0, bytesRead);
    } else {
      const converter = o.converter();
      if (!converter) throw new ApiError('unavailable', `Frame ${p.frame} is ${probe.format.toUpperCase()}, which the viewer shows through ffmpeg on the controller's machine; install ffmpeg (e.g. \`apt install ffmpeg\`) or give its path with --ffmpeg or FARMHAND_FFMPEG.`);
      const exrLayer = probe.format === 'exr' ? await exrColourLayer(probe.path).catch(() => null) : null;
      bytes = await converter.toPng({ source: probe.path, format: probe.format, exrLayer, exposure: p.exposure }, { maxBytes: maxImageBytes, label: `frame ${p.frame} (${probe.name})` });
    }
    const mime = probe.format === 'jpeg' ? 'image/jpeg' : 'image/png';
    return {
      jobId: job.id,
      frame: p.frame,
      name: probe.name,
      image: `data:${mime};base64,${bytes.toString('base64')}`,
      format: probe.format,
      exposure: probe.format === 'exr' ? p.exposure : null,
      fileBytes: probe.size,
    };
  } finally {
    await probe.handle.close().catch(() => undefined);
  }
}
