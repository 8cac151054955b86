import { spawn } from 'node:child_process';
import { rm, stat } from 'node:fs/promises';
import { setPriority } from 'node:os';
import { basename } from 'node:path';
import { thumbnailArgv, type ThumbnailJob } from './thumbnail-argv.js';

/**
 * Runs ffmpeg to make thumbnails, politely: one process at a time, at a low OS priority and
 * on one thread, because the controller's machine usually renders too (its local agent) and a
 * thumbnail must never slow a frame down. Requests that arrive while a process runs wait and
 * go together into the next one (see thumbnail-argv.ts for why batches are much cheaper).
 *
 * A batch is bounded in files and in source bytes, since ffmpeg holds every input of a
 * process decoded at once (eight 1080p PNGs measured ~130 MB; a 4K float EXR is ~130 MB
 * alone, about its file size). A frame ffmpeg cannot read leaves its output empty or fails
 * the whole process; then each frame of that batch is retried alone, so only the damaged
 * one fails, with ffmpeg's own reason.
 */

const BATCH_FILES = 8;
const BATCH_BYTES = 64 * 1024 * 1024;
/** Requests waiting beyond this are refused: clients ask for what is in view, so a longer queue means a runaway client. */
const MAX_WAITING = 2000;
/** Nice value for ffmpeg (higher = lower priority; Windows maps it to "below normal"). */
const NICENESS = 10;

export interface ThumbnailMakerOptions {
  ffmpegPath: string;
  /** Per process: this plus 2 s per frame, then it is killed. */
  timeoutMs?: number;
}

interface Waiting extends ThumbnailJob {
  bytes: number;
  done: (error: Error | null) => void;
}

/** A frame that could not be made into a thumbnail; the message is one sentence for the user. */
export class ThumbnailError extends Error {
  override name = 'ThumbnailError';
}

export class ThumbnailMaker {
  /** ffmpeg processes started so far (tests check that a cached thumbnail starts none). */
  processes = 0;
  private readonly waiting: Waiting[] = [];
  private running = false;

  constructor(private readonly o: ThumbnailMakerOptions) {}

  /** Writes a thumbnail of `job.source` (`bytes` long) to `job.target`; rejects with a ThumbnailError. */
  make(job: ThumbnailJob, bytes: number): Promise<void> {
    if (this.waiting.length >= MAX_WAITING) return Promise.reject(new ThumbnailError('The controller has too many thumbnails to make right now; they are retried when you scroll back.'));
    return new Promise((resolve, reject) => {
      this.waiting.push({ ...job, bytes, done: (error) => (error ? reject(error) : resolve()) });
      this.pump();
    });
  }

  private pump(): void {
    if (this.running || this.waiting.length === 0) return;
    this.running = true;
    const batch = this.takeBatch();
    void this.runBatch(batch).finally(() => {
      this.running = false;
      this.pump();
    });
  }

  private takeBatch(): Waiting[] {
    const batch: Waiting[] = [this.waiting.shift()!];
    let bytes = batch[0]!.bytes;
    while (batch.length < BATCH_FILES && this.waiting.length > 0 && bytes + this.waiting[0]!.bytes <= BATCH_BYTES) {
      const next = this.waiting.shift()!;
      bytes += next.bytes;
      batch.push(next);
    }
    return batch;
  }

  private async runBatch(batch: Waiting[]): Promise<void> {
    const result = await this.run(batch);
    const made = await Promise.all(batch.map((job) => hasContent(job.target)));
    const failed = batch.filter((_, i) => !made[i]);
    for (const [i, job] of batch.entries()) if (made[i]) job.done(null);
    if (failed.length === 0) return;
    if (batch.length > 1) {
      // Which frame broke the batch is not knowable from one process: ask again one by one.
      for (const job of failed) await this.runBatch([job]);
      return;
    }
    const job = failed[0]!;
    await rm(job.target, { force: true }).catch(() => undefined);
    job.done(new ThumbnailError(`ffmpeg could not make a thumbnail of ${basename(job.source)} (${result.reason}); the frame file may be damaged: rerender its task.`));
  }

  private run(batch: readonly Waiting[]): Promise<{ reason: string }> {
    this.processes++;
    return new Promise((resolve) => {
      const child = spawn(this.o.ffmpegPath, thumbnailArgv(batch), { stdio: ['ignore', 'ignore', 'pipe'] });
      if (child.pid !== undefined) {
        try {
          setPriority(child.pid, NICENESS);
        } catch {
          // Not allowed here (or the process already ended): it still runs, just at normal priority.
        }
      }
      let stderr = '';
      child.stderr.on('data', (chunk: Buffer) => {
        if (stderr.length < 16_384) stderr += chunk.toString();
      });
      const timer = setTimeout(() => child.kill('SIGKILL'), (this.o.timeoutMs ?? 10_000) + 2000 * batch.length);
      const finish = (reason: string) => {
        clearTimeout(timer);
        resolve({ reason });
      };
      child.once('error', (error) => finish(error.message));
      child.once('close', (code, signal) => finish(signal === 'SIGKILL' ? 'it took too long' : code === 0 ? 'it wrote nothing' : lastLine(stderr)));
    });
  }
}

async function hasContent(path: string): Promise<boolean> {
  return stat(path).then((s) => s.isFile() && s.size > 0, () => false);
}

/** ffmpeg's last useful error line without its `[png @ 0x…]` or stream prefix, e.g. "Invalid data found when processing input". */
function lastLine(stderr: string): string {
  const lines = stderr.split('\n').map((l) => l.replace(/^\[[^\]]*\]\s*/, '').replace(/^Error while decoding stream #\d+:\d+:\s*/, '').trim()).filter(Boolean);
  const useful = lines.filter((l) => !/^(Error marking filters|Cannot determine format of input stream|Conversion failed)/.test(l));
  return (useful[useful.length - 1] ?? lines[lines.length - 1] ?? 'ffmpeg failed').replace(/\.$/, '').slice(0, 200);
}
