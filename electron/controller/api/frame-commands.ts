import { join } from 'node:path';
import { collectedFrameFile, jobFrameIndex } from '../jobs/blender/job-frames.js';
import type { JobRecord } from '../model/job-model.js';
import { folderFor } from '../outputs/output-folder.js';
import { safeOutputPath } from '../outputs/output-names.js';
import { FrameConverter } from '../frame-images/frame-converter.js';
import { frameImage } from '../frame-images/frame-images.js';
import { findFfmpeg } from '../thumbnails/find-ffmpeg.js';
import { ThumbnailCache, ThumbnailsUnavailable } from '../thumbnails/thumbnail-cache.js';
import { ThumbnailError, ThumbnailMaker } from '../thumbnails/thumbnail-maker.js';
import { ApiError, type ApiParsedParams, type ApiResult, type FrameThumbnail, type JobFrame } from './contract.js';

/**
 * `frames.list` and `frames.thumbnails`: the job detail's frame grid.
 *
 * Thumbnails are made lazily, when a client asks for frames in view, never eagerly as frames
 * arrive. A farm renders far more frames than anyone looks at (a 10,000-frame job overnight),
 * and the controller's machine renders too: making every frame's thumbnail on arrival would
 * take CPU from renders for pictures nobody sees. Asked for, a screenful (~24 frames) takes
 * about 2 s of one low-priority ffmpeg process at 1080p, and a watched job's new frames
 * appear within a fraction of a second of their task succeeding, since the grid asks as soon
 * as the event arrives. Once made, a thumbnail is read from the cache (~1 ms).
 */

export interface FrameCommandsOptions {
  /** The controller's data folder: thumbnails live in `<home>/thumbnails/<jobId>/`. */
  home: string;
  /** ffmpeg as given on the command line; else FARMHAND_FFMPEG, else PATH. */
  ffmpegPath?: string;
}

export interface FrameCommands {
  list(job: JobRecord, p: ApiParsedParams<'frames.list'>): ApiResult<'frames.list'>;
  thumbnails(job: JobRecord, p: ApiParsedParams<'frames.thumbnails'>): Promise<ApiResult<'frames.thumbnails'>>;
  /** One frame full size for the frame viewer (frame-images/frame-images.ts). */
  image(job: JobRecord, p: ApiParsedParams<'frames.image'>): Promise<ApiResult<'frames.image'>>;
  /** The job was deleted: its thumbnails go too. */
  removeJob(jobId: string): Promise<void>;
  /** At start-up: drops thumbnails of jobs the store no longer has. */
  keepOnly(jobIds: ReadonlySet<string>): Promise<number>;
  readonly cache: ThumbnailCache;
}

export function createFrameCommands(o: FrameCommandsOptions): FrameCommands {
  // ffmpeg is looked for until found, so installing it while the controller runs is enough.
  let maker: ThumbnailMaker | null = null;
  const findMaker = () => {
    if (!maker) {
      const ffmpegPath = findFfmpeg(o.ffmpegPath);
      if (ffmpegPath) maker = new ThumbnailMaker({ ffmpegPath });
    }
    return maker;
  };
  const cache = new ThumbnailCache(join(o.home, 'thumbnails'), findMaker);
  let converter: FrameConverter | null = null;
  const findConverter = () => {
    if (!converter) {
      const ffmpegPath = findFfmpeg(o.ffmpegPath);
      if (ffmpegPath) converter = new FrameConverter(ffmpegPath);
    }
    return converter;
  };

  return {
    cache,
    list(job, p) {
      const index = framesOf(job);
      const end = Math.min(index.frames.length, p.offset + p.limit);
      const items: JobFrame[] = [];
      for (let i = p.offset; i < end; i++) {
        const task = index.tasks[i]!;
        items.push({ frame: index.frames[i]!, taskId: task.id, taskIndex: task.index, rendered: collectedFrameFile(task, index.frames[i]!) !== null });
      }
      return { items, total: index.frames.length, offset: p.offset };
    },
    async thumbnails(job, p) {
      const index = framesOf(job);
      const frames = [...new Set(p.frames)];
      const thumbnails = await Promise.all(frames.map(async (frame): Promise<FrameThumbnail> => {
        const position = index.positionOf.get(frame);
        if (position === undefined) return problem(frame, 'not-found', `Frame ${frame} is not one of this job's frames; list them with frames.list.`);
        const task = index.tasks[position]!;
        const name = collectedFrameFile(task, frame);
        if (name === null) return problem(frame, 'bad-input', `Frame ${frame} has not been rendered yet; its thumbnail comes once its task (${task.label}) succeeds.`);
        try {
          const source = safeOutputPath(folderFor(job, task), name);
          const bytes = await cache.thumbnail(job.id, source, name);
          return { frame, image: `data:image/jpeg;base64,${bytes.toString('base64')}`, problem: null };
        } catch (error) {
          if (error instanceof ThumbnailsUnavailable) throw error;
          if (error instanceof ThumbnailError) return problem(frame, 'internal', error.message);
          return problem(frame, 'internal', `The thumbnail of frame ${frame} could not be made (${(error as Error).message}); try again.`);
        }
      })).catch((error: unknown) => {
        if (error instanceof ThumbnailsUnavailable) throw new ApiError('unavailable', error.message);
        throw error;
      });
      return { jobId: job.id, thumbnails };
    },
    image: (job, p) => frameImage(job, p, { converter: findConverter }),
    removeJob: (jobId) => cache.removeJob(jobId),
    keepOnly: (jobIds) => cache.keepOnly(jobIds),
  };
}

function framesOf(job: JobRecord) {
  if (job.type !== 'blender') throw new ApiError('bad-input', `Job ${job.id} is a ${job.type} job; only render jobs have frames to show.`);
  return jobFrameIndex(job);
}

function problem(frame: number, code: 'bad-input' | 'not-found' | 'internal', message: string): FrameThumbnail {
  return { frame, image: null, problem: { code, message } };
}
