import type { JobRecord } from '../model/job-model.js';
import { freeBytes, megabytes } from './disk-space.js';
import { NoRoomError } from './no-room-error.js';

/**
 * The check every submission passes before its job is taken (the API's jobs.submit, and the
 * one-shot `farmhand render` and `farmhand transcode`, all through Controller.admit): the
 * output disk must hold the job's estimated output, and the data disk its records. Refusing
 * then costs the user nothing; a job that fills the disk halfway costs them the wait.
 *
 * The estimate, per job type:
 * - render: frames × the size of a frame of the same scene and format an earlier job of this
 *   controller collected (once one is known), else the frame's uncompressed size (width ×
 *   height × bytes per pixel of the format: more than a compressed file ever is), else a
 *   conservative default per frame;
 * - transcode: twice the input's size (the chunks and the joined file share the output
 *   folder until the job ends, and an encode is rarely bigger than its source);
 * - anything else: its announced output sizes.
 */

/** Kept free beyond the estimate on either disk: the store, logs and thumbnails need a little. */
export const MIN_ROOM_BYTES = 4 * 1024 * 1024;
/** A frame whose size nothing tells: a 1920×1080 RGBA image, uncompressed. */
export const DEFAULT_FRAME_BYTES = 1920 * 1080 * 4;
/** The job store's share per task (a page of 250 tasks is 80–150 KiB). */
const STORE_BYTES_PER_TASK = 1024;
/** Bytes per pixel of an uncompressed frame, by Blender format (RGBA; EXR as float). */
const BYTES_PER_PIXEL: Record<string, number> = { PNG: 4, TIFF: 4, BMP: 4, TARGA: 4, JPEG: 3, OPEN_EXR: 16, OPEN_EXR_MULTILAYER: 16 };

export interface OutputEstimate {
  bytes: number;
  /** How it was reached, for the refusal: "12 frames of about 9 KB". */
  basis: string;
}

export function estimateOutput(job: JobRecord, earlier: readonly JobRecord[]): OutputEstimate {
  if (job.type === 'blender') {
    const frames = Number(job.settings.frameCount ?? 0) || job.tasks.reduce((n, t) => n + (t.spec.type === 'blender' ? t.spec.frames.length : 0), 0);
    const perFrame = knownFrameBytes(job, earlier) ?? uncompressedFrameBytes(job) ?? DEFAULT_FRAME_BYTES;
    // A video from the frames is far smaller than the frames; one frame's worth covers it.
    const video = job.settings.video === true ? perFrame : 0;
    return { bytes: frames * perFrame + video, basis: `${frames} frame(s) of about ${megabytes(perFrame)}` };
  }
  if (job.type === 'transcode') {
    const input = job.inputFiles.reduce((n, f) => n + f.size, 0);
    return { bytes: 2 * input, basis: `twice the ${megabytes(input)} input, for the chunks and the joined file` };
  }
  const bytes = job.tasks.reduce((n, t) => n + (t.spec.type === 'noop' ? t.spec.outputBytes ?? 0 : 0), 0);
  return { bytes, basis: `${job.tasks.length} task(s)` };
}

/**
 * Refuses `job` (NoRoomError) when its output disk cannot hold the estimate or the data disk
 * (`dataDir`, FARMHAND_HOME) cannot hold its records, each with MIN_ROOM_BYTES to spare.
 * `measure` is fs.statfs's free bytes (replaceable for tests).
 */
export async function ensureRoomFor(job: JobRecord, o: { dataDir: string | null; earlier: readonly JobRecord[]; measure?: (path: string) => Promise<number> }): Promise<void> {
  const measure = o.measure ?? freeBytes;
  const estimate = estimateOutput(job, o.earlier);
  const outputFree = await measure(job.outputDir);
  if (estimate.bytes + MIN_ROOM_BYTES > outputFree) {
    throw new NoRoomError(`The output disk ${job.outputDir} has ${megabytes(outputFree)} free, too little for this job (about ${megabytes(estimate.bytes)}: ${estimate.basis}); free some space there or choose another output folder.`);
  }
  if (o.dataDir === null) return;
  const dataFree = await measure(o.dataDir);
  if (job.tasks.length * STORE_BYTES_PER_TASK + MIN_ROOM_BYTES > dataFree) {
    throw new NoRoomError(`The data disk ${o.dataDir} has ${megabytes(dataFree)} free, too little to store this job; free some space there (or set FARMHAND_HOME to a folder on another disk).`);
  }
}

/** The largest frame an earlier job of the same scene and format collected, if any. */
function knownFrameBytes(job: JobRecord, earlier: readonly JobRecord[]): number | null {
  const scene = job.inputFiles[0]?.sha256;
  if (!scene) return null;
  let largest: number | null = null;
  for (const other of earlier) {
    if (other.id === job.id || other.type !== 'blender' || other.inputFiles[0]?.sha256 !== scene || other.settings.format !== job.settings.format) continue;
    for (const task of other.tasks) {
      if (task.spec.type !== 'blender') continue;
      for (const output of task.outputs) largest = Math.max(largest ?? 0, output.size);
    }
  }
  return largest;
}

function uncompressedFrameBytes(job: JobRecord): number | null {
  const resolution = job.settings.resolution;
  if (!Array.isArray(resolution) || resolution.length !== 2) return null;
  const [width, height] = resolution as unknown[];
  if (typeof width !== 'number' || typeof height !== 'number' || !(width > 0) || !(height > 0)) return null;
  return width * height * (BYTES_PER_PIXEL[String(job.settings.format)] ?? 4);
}
