import { spawn } from 'node:child_process';
import { setPriority } from 'node:os';
import { ApiError } from '../api/contract.js';
import { sizeText } from './job-frame-file.js';
import { frameToPngArgv, type FrameToPngJob } from './frame-to-png-argv.js';

/**
 * Runs ffmpeg to turn a frame the browser cannot show into a PNG (frame-to-png-argv.ts). Someone
 * is looking at the viewer, so a conversion starts at once rather than waiting for a thumbnail
 * batch; but the controller's machine usually renders too, so at most two run at a time, at a
 * mildly lowered priority, and only a few may wait (a viewer asks for the frame in view and a
 * few ahead). The PNG is collected from stdout up to the API's cap; beyond it ffmpeg is stopped
 * and the frame refused with a sentence, and a process that hangs is killed.
 */
const RUNNING = 2;
const MAX_WAITING = 16;
const NICENESS = 5;
const TIMEOUT_MS = 30_000;

export class FrameConverter {
  /** ffmpeg processes started so far. */
  processes = 0;
  private running = 0;
  private readonly waiting: (() => void)[] = [];

  constructor(private readonly ffmpegPath: string) {}

  /** The PNG bytes of `job.source`; rejects with an ApiError whose message is one sentence. */
  async toPng(job: FrameToPngJob, o: { maxBytes: number; label: string }): Promise<Buffer> {
    if (this.running >= RUNNING) {
      if (this.waiting.length >= MAX_WAITING) throw new ApiError('unavailable', 'The controller is converting too many frames for the viewer right now; try again in a moment.');
      await new Promise<void>((resolve) => this.waiting.push(resolve));
    }
    this.running++;
    try {
      return await this.run(job, o);
    } finally {
      this.running--;
      this.waiting.shift()?.();
    }
  }

  private run(job: FrameToPngJob, o: { maxBytes: number; label: string }): Promise<Buffer> {
    this.processes++;
    return new Promise((resolve, reject) => {
      const child = spawn(this.ffmpegPath, frameToPngArgv(job), { stdio: ['ignore', 'pipe', 'pipe'] });
      if (child.pid !== undefined) {
        try {
          setPriority(child.pid, NICENESS);
        } catch {
          // Not allowed here: it runs at normal priority.
        }
      }
      const chunks: Buffer[] = [];
      let size = 0;
      let stderr = '';
      let refused: ApiError | null = null;
      child.stdout.on('data', (chunk: Buffer) => {
        size += chunk.length;
        if (size > o.maxBytes) {
          refused ??= new ApiError('bad-input', `${o.label} converts to a PNG larger than the ${sizeText(o.maxBytes)} the frame viewer loads from the controller; open it from the job's output folder.`);
          child.kill('SIGKILL');
          return;
        }
        chunks.push(chunk);
      });
      child.stderr.on('data', (chunk: Buffer) => {
        if (stderr.length < 16_384) stderr += chunk.toString();
      });
      const timer = setTimeout(() => {
        refused ??= new ApiError('unavailable', `ffmpeg took longer than ${TIMEOUT_MS / 1000} s to convert ${o.label}; try again when the controller's machine is less busy.`);
        child.kill('SIGKILL');
      }, TIMEOUT_MS);
      child.once('error', (error) => {
        clearTimeout(timer);
        reject(new ApiError('unavailable', `ffmpeg could not be started to convert ${o.label} (${error.message}); check the controller's --ffmpeg or FARMHAND_FFMPEG.`));
      });
      child.once('close', (code) => {
        clearTimeout(timer);
        if (refused) return reject(refused);
        if (code === 0 && size > 0) return resolve(Buffer.concat(chunks));
        reject(new ApiError('internal', `ffmpeg could not convert ${o.label} (${lastLine(stderr) || `exit code ${code}`}); the file may be damaged: rerender its task.`));
      });
    });
  }
}

function lastLine(stderr: string): string {
  const lines = stderr.split('\n').map((l) => l.replace(/^\[[^\]]*\]\s*/, '').trim()).filter(Boolean);
  return (lines[lines.length - 1] ?? '').replace(/\.$/, '').slice(0, 200);
}
