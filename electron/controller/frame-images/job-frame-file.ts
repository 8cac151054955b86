import { constants } from 'node:fs';
import { open, realpath, type FileHandle } from 'node:fs/promises';
import { isAbsolute, relative, sep } from 'node:path';
import { ApiError, type FrameImageFormat } from '../api/contract.js';
import { collectedFrameFile, jobFrameIndex } from '../jobs/blender/job-frames.js';
import type { JobRecord } from '../model/job-model.js';
import { folderFor } from '../outputs/output-folder.js';
import { safeOutputPath, UnsafeOutputNameError } from '../outputs/output-names.js';
import { FORMAT_HEADER_BYTES, imageFormat } from './image-format.js';

/**
 * The file of one frame of a job, opened for the frame viewer. The client names only a job and
 * a frame number; the file is the one the controller itself collected for that frame's task
 * (job-frames.ts), under the job's own output folder. Every step that could reach another
 * file is closed:
 * - the collected name must be a plain output name (output-names.ts: no `..`, no separators
 *   but `passes/`), joined to the task's output folder;
 * - the real path (links resolved) must still lie inside the real output folder, so a link
 *   placed in the folder that leads elsewhere is refused;
 * - it is opened without following a link (where the system can) and must be a regular file;
 * - its size is capped before a byte is read, with a sentence naming the file and the cap.
 */

export interface JobFrameFile {
  frame: number;
  /** The name relative to the job's output folder. */
  name: string;
  /** The real path, inside the real output folder. */
  path: string;
  format: FrameImageFormat;
  size: number;
  /** The open file: read it, then close it. */
  handle: FileHandle;
}

/** O_NOFOLLOW where the system has it (0 on Windows, where realpath's check stands alone). */
const NO_FOLLOW = constants.O_NOFOLLOW ?? 0;

export async function openJobFrameFile(job: JobRecord, frame: number, maxBytes: number): Promise<JobFrameFile> {
  if (job.type !== 'blender') throw new ApiError('bad-input', `Job ${job.id} is a ${job.type} job; only render jobs have frames to show.`);
  const index = jobFrameIndex(job);
  const position = index.positionOf.get(frame);
  if (position === undefined) throw new ApiError('not-found', `Frame ${frame} is not one of this job's frames; list them with frames.list.`);
  const task = index.tasks[position]!;
  const name = collectedFrameFile(task, frame);
  if (name === null) throw new ApiError('bad-input', `Frame ${frame} has not been rendered yet; it can be viewed once its task (${task.label}) succeeds.`);
  const folder = folderFor(job, task);
  let path: string;
  try {
    path = safeOutputPath(folder, name);
  } catch (error) {
    if (error instanceof UnsafeOutputNameError) throw new ApiError('bad-input', `Frame ${frame}'s file name is not a plain output name, so it is not served; rerender its task.`);
    throw error;
  }
  const gone = () => new ApiError('not-found', `The file of frame ${frame} (${name}) is no longer in the job's output folder ${folder}; rerender its task to see it again.`);
  const [root, real] = await Promise.all([realpath(folder).catch(() => null), realpath(path).catch(() => null)]);
  if (root === null || real === null) throw gone();
  const rel = relative(root, real);
  if (rel === '' || rel.startsWith('..') || isAbsolute(rel) || rel.split(sep).includes('..')) {
    throw new ApiError('bad-input', `The file of frame ${frame} (${name}) is a link that leads outside the job's output folder, so it is not served; open the frame from ${folder}.`);
  }
  let handle: FileHandle;
  try {
    handle = await open(real, constants.O_RDONLY | NO_FOLLOW);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') throw gone();
    throw new ApiError('bad-input', `The file of frame ${frame} (${name}) cannot be read (${(error as NodeJS.ErrnoException).code ?? 'unreadable'}); open it from ${folder}.`);
  }
  try {
    const stats = await handle.stat();
    if (!stats.isFile()) throw new ApiError('bad-input', `The file of frame ${frame} (${name}) is not a regular file, so it is not served; rerender its task.`);
    if (stats.size > maxBytes) throw new ApiError('bad-input', `Frame ${frame} (${name}) is ${sizeText(stats.size)}, more than the ${sizeText(maxBytes)} the frame viewer loads from the controller; open it from ${folder}.`);
    const head = Buffer.alloc(FORMAT_HEADER_BYTES);
    const { bytesRead } = await handle.read(head, 0, head.length, 0);
    const format = imageFormat(head.subarray(0, bytesRead), name);
    if (format === null) throw new ApiError('bad-input', `The file of frame ${frame} (${name}) is not a PNG, JPEG, EXR, TIFF, BMP or Targa image, so the viewer cannot show it; rerender its task.`);
    return { frame, name, path: real, format, size: stats.size, handle };
  } catch (error) {
    await handle.close().catch(() => undefined);
    throw error;
  }
}

/** A size in a sentence: "31.2 MB", "8 MB", "412 KB". */
export function sizeText(bytes: number): string {
  const mb = bytes / (1024 * 1024);
  if (mb >= 1) return `${Number.isInteger(Math.round(mb * 10) / 10) ? Math.round(mb) : mb.toFixed(1)} MB`;
  return `${Math.max(1, Math.round(bytes / 1024))} KB`;
}
