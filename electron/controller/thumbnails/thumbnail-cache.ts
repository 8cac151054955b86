import { randomBytes } from 'node:crypto';
import { mkdir, readdir, readFile, rename, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { exrColourLayer } from './exr-layer.js';
import { isExr } from './thumbnail-argv.js';
import { ThumbnailError, type ThumbnailMaker } from './thumbnail-maker.js';

/**
 * Frame thumbnails, made once and kept per job in the controller's data folder:
 * `<FARMHAND_HOME>/thumbnails/<jobId>/<frame file>.jpg`.
 *
 * Why there and not beside the frames in the job's output folder: that folder is the user's
 * (it may be a share, read-only to us, or handed on to compositing as it is), and deleting a
 * job keeps its frames, so thumbnails there would be left behind with no owner. Here the
 * controller owns them: they go with jobs.delete, like the job's logs, and a start-up sweep
 * removes folders of jobs that no longer exist. They are a cache: losing them only costs
 * making them again.
 *
 * A thumbnail is current while it is newer than its frame (a rerendered frame gets a new
 * one). Requests for the same frame while it is being made share that one piece of work.
 * Nothing is made ahead of time: only frames someone looks at cost CPU (see frame-thumbnails.ts).
 */

const JOB_FOLDER = /^[A-Za-z0-9._:-]{1,128}$/;

export class ThumbnailCache {
  private readonly inFlight = new Map<string, Promise<Buffer>>();
  /** Jobs deleted while one of their thumbnails was being made: that work must not recreate the folder. */
  private readonly removed = new Set<string>();

  /** `maker`: null while ffmpeg is missing; only frames already cached can then be served. */
  constructor(readonly dir: string, private readonly maker: () => ThumbnailMaker | null) {}

  /** The JPEG bytes of the thumbnail of `source`, the job's frame file `name`. Rejects with a ThumbnailError. */
  thumbnail(jobId: string, source: string, name: string): Promise<Buffer> {
    if (!JOB_FOLDER.test(jobId) || name.includes('/') || name.startsWith('.')) return Promise.reject(new ThumbnailError(`"${name}" cannot have a thumbnail; frame files are plain names inside the job's folder.`));
    const key = `${jobId}/${name}`;
    const shared = this.inFlight.get(key);
    if (shared) return shared;
    const work = this.readOrMake(jobId, source, name).finally(() => this.inFlight.delete(key));
    this.inFlight.set(key, work);
    return work;
  }

  /** Deletes a job's thumbnails (the job was deleted). */
  async removeJob(jobId: string): Promise<void> {
    if (!JOB_FOLDER.test(jobId)) return;
    this.removed.add(jobId);
    await rm(join(this.dir, jobId), { recursive: true, force: true });
  }

  /** Deletes the thumbnails of every job not in `jobIds` (left by a crash between a delete and its clean-up). */
  async keepOnly(jobIds: ReadonlySet<string>): Promise<number> {
    const folders = await readdir(this.dir).catch(() => [] as string[]);
    const orphans = folders.filter((name) => JOB_FOLDER.test(name) && !jobIds.has(name));
    await Promise.all(orphans.map((name) => rm(join(this.dir, name), { recursive: true, force: true })));
    return orphans.length;
  }

  private async readOrMake(jobId: string, source: string, name: string): Promise<Buffer> {
    const folder = join(this.dir, jobId);
    const target = join(folder, `${name}.jpg`);
    const [frame, cached] = await Promise.all([stat(source).catch(() => null), stat(target).catch(() => null)]);
    if (!frame?.isFile()) throw new ThumbnailError(`The frame file ${name} is no longer in the job's output folder; rerender its task to see it again.`);
    if (cached && cached.size > 0 && cached.mtimeMs >= frame.mtimeMs) {
      const bytes = await readFile(target).catch(() => null);
      if (bytes?.length) return bytes;
    }
    const maker = this.maker();
    if (!maker) throw new ThumbnailsUnavailable();
    if (this.removed.has(jobId)) throw new ThumbnailError('This job was deleted.');
    await mkdir(folder, { recursive: true });
    const temp = join(folder, `.part-${randomBytes(6).toString('hex')}.jpg`);
    try {
      const exrLayer = isExr(source) ? await exrColourLayer(source).catch(() => null) : null;
      await maker.make({ source, target: temp, exrLayer }, frame.size);
      if (this.removed.has(jobId)) throw new ThumbnailError('This job was deleted.');
      const bytes = await readFile(temp);
      await rename(temp, target);
      return bytes;
    } catch (error) {
      await rm(temp, { force: true }).catch(() => undefined);
      if (this.removed.has(jobId)) await rm(folder, { recursive: true, force: true }).catch(() => undefined);
      throw error instanceof ThumbnailError ? error : new ThumbnailError(`The thumbnail of ${name} could not be stored (${(error as Error).message}); check the space left in the controller's data folder.`);
    }
  }
}

/** ffmpeg is not installed on the controller's machine, so no new thumbnail can be made. */
export class ThumbnailsUnavailable extends Error {
  override name = 'ThumbnailsUnavailable';
  constructor() {
    super('Frame thumbnails need ffmpeg on the controller\'s machine; install ffmpeg (e.g. `apt install ffmpeg`) or give its path with --ffmpeg or FARMHAND_FFMPEG.');
  }
}
