import { mkdir, rm } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { describeFile } from './file-hash.js';
import type { InputCache } from './input-cache.js';
import type { OutputHold } from './output-hold.js';
import type { Capabilities, Message, MessageOf } from './protocol/index.js';
import { runBlenderTask } from './runners/blender-runner.js';
import { runFfmpegSpec } from './runners/ffmpeg-task.js';
import { runNoopTask } from './runners/noop-runner.js';
import { TaskCanceledError, TaskFailedError } from './runners/task-errors.js';
import { TaskLogBuffer } from './task-log-buffer.js';

/**
 * Runs the tasks the controller assigns: fetches missing inputs, runs the job type's
 * runner, hashes the outputs into the hold and reports. It decides nothing about
 * scheduling; it only refuses task types this agent was not started to run.
 */

export interface ExecutorDeps {
  cache: InputCache;
  hold: OutputHold;
  workRoot: string;
  scratchHome: string;
  capabilities: Capabilities;
  /** Sends to the connected controller; false when none is connected (the result then waits in the hold). */
  send(message: Message): boolean;
  log(line: string): void;
}

interface RunningTask {
  jobId: string;
  taskId: string;
  attempt: number;
  abort: AbortController;
  /** Why the task was aborted, when it was: 'cancel' is silent, 'timeout' is reported as a failure. */
  stopReason: 'cancel' | 'timeout' | null;
}

const PROGRESS_INTERVAL_MS = 250;

export class TaskExecutor {
  private readonly running = new Map<string, RunningTask>();

  constructor(private readonly deps: ExecutorDeps) {}

  runningList(): { taskId: string; attempt: number; jobId: string }[] {
    return [...this.running.values()].map(({ taskId, attempt, jobId }) => ({ taskId, attempt, jobId }));
  }

  isRunning(taskId: string, attempt: number): boolean {
    const task = this.running.get(taskId);
    return task !== undefined && task.attempt === attempt;
  }

  start(assign: MessageOf<'task.assign'>): void {
    const previous = this.running.get(assign.taskId);
    if (previous) {
      if (previous.attempt === assign.attempt) return; // a repeated assignment: already running
      previous.stopReason = 'cancel';
      previous.abort.abort();
    }
    const task: RunningTask = { jobId: assign.jobId, taskId: assign.taskId, attempt: assign.attempt, abort: new AbortController(), stopReason: null };
    this.running.set(assign.taskId, task);
    this.deps.log(`task ${assign.taskId} attempt ${assign.attempt} started: ${describeSpec(assign.spec)}`);
    const timer = setTimeout(() => {
      task.stopReason = 'timeout';
      task.abort.abort();
    }, assign.timeoutMs);
    void this.run(assign, task).finally(() => {
      clearTimeout(timer);
      if (this.running.get(assign.taskId) === task) this.running.delete(assign.taskId);
    });
  }

  cancel(taskId: string, attempt: number): void {
    const task = this.running.get(taskId);
    if (!task || task.attempt !== attempt) return;
    task.stopReason = 'cancel';
    task.abort.abort();
  }

  cancelAll(): void {
    for (const task of this.running.values()) {
      task.stopReason = 'cancel';
      task.abort.abort();
    }
  }

  private async run(assign: MessageOf<'task.assign'>, task: RunningTask): Promise<void> {
    const key = { taskId: assign.taskId, attempt: assign.attempt };
    const workDir = join(this.deps.workRoot, `${assign.taskId.replace(/:/g, '_')}__${assign.attempt}`);
    const logs = new TaskLogBuffer((lines) => this.deps.send({ type: 'task.log', ...key, lines }));
    const started = performance.now();
    try {
      if (!this.deps.capabilities.taskTypes.includes(assign.spec.type)) {
        throw new TaskFailedError(`This agent does not run "${assign.spec.type}" tasks; start it with the tool installed (or --allow-noop for test tasks).`);
      }
      const inputs = await Promise.all(assign.inputs.map((input) =>
        this.deps.cache.obtain(input.sha256, input.size, () => this.deps.send({ type: 'input.request', sha256: input.sha256 }))));
      await mkdir(workDir, { recursive: true });
      let lastProgress = 0;
      const result = await this.runSpec(assign, inputs, workDir, task.abort.signal, (update) => {
        const now = performance.now();
        if (update.fraction < 1 && now - lastProgress < PROGRESS_INTERVAL_MS) return;
        lastProgress = now;
        this.deps.send({ type: 'task.progress', ...key, ...update });
      }, (line) => logs.push(line));
      logs.flush();
      const files = await Promise.all(result.outputs.map(async (path) => ({ path, ref: await describeFile(path, basename(path)) })));
      const held = await this.deps.hold.hold({ ...key, jobId: assign.jobId }, files);
      if (assign.keepOutputs) {
        const stored = this.deps.hold.get(assign.taskId, assign.attempt)!;
        for (const output of held.outputs) await this.deps.cache.adopt(stored.pathOf(output), output.sha256);
      }
      this.deps.send({ type: 'task.done', ...key, outputs: held.outputs, elapsedMs: performance.now() - started });
    } catch (error) {
      logs.flush();
      if (task.stopReason === 'cancel') return;
      const message = task.stopReason === 'timeout'
        ? `The task exceeded its wall-clock limit of ${formatSeconds(assign.timeoutMs)} and was stopped; raise the limit or use smaller chunks.`
        : errorMessage(error);
      const unrecoverable = error instanceof TaskFailedError && error.unrecoverable && task.stopReason === null;
      this.deps.log(`task ${assign.taskId} attempt ${assign.attempt} failed: ${message}`);
      this.deps.send({ type: 'task.failed', ...key, error: message.slice(0, 4000), unrecoverable });
    } finally {
      await rm(workDir, { recursive: true, force: true }).catch(() => undefined);
    }
  }

  private runSpec(
    assign: MessageOf<'task.assign'>,
    inputs: string[],
    workDir: string,
    signal: AbortSignal,
    onProgress: (u: { fraction: number; framesDone?: number; currentFrame?: number; message?: string }) => void,
    onLog: (line: string) => void,
  ): Promise<{ outputs: string[] }> {
    const spec = assign.spec;
    switch (spec.type) {
      case 'noop':
        return runNoopTask({ spec, workDir, signal });
      case 'blender': {
        const blender = this.deps.capabilities.blender;
        if (!blender) throw new TaskFailedError('Blender is not installed on this agent; install it or pass --blender PATH.');
        if (inputs.length !== 1) throw new TaskFailedError('A Blender task needs exactly one input: the scene.', { unrecoverable: true });
        return runBlenderTask({
          blenderPath: blender.path,
          scenePath: inputs[0]!,
          sceneName: assign.inputs[0]!.name,
          workDir,
          spec,
          scratchHome: this.deps.scratchHome,
          signal,
          onProgress,
          onLog,
        });
      }
      case 'transcode-chunk':
      case 'transcode-audio':
      case 'transcode-join':
      case 'frames-video': {
        const ffmpeg = this.deps.capabilities.ffmpeg;
        if (!ffmpeg) throw new TaskFailedError('ffmpeg is not installed on this agent; install it or pass --ffmpeg PATH.');
        return runFfmpegSpec({ spec, inputs, workDir, ffmpegPath: ffmpeg.path, signal, onProgress, onLog });
      }
      default: {
        const unknown: never = spec;
        throw new TaskFailedError(`Unknown task type ${JSON.stringify(unknown)}.`);
      }
    }
  }
}

function describeSpec(spec: MessageOf<'task.assign'>['spec']): string {
  if (spec.type === 'blender') return `blender frames ${spec.frames[0]}…${spec.frames.at(-1)} (${spec.frames.length})`;
  return spec.type;
}

function errorMessage(error: unknown): string {
  if (error instanceof TaskCanceledError) return 'The task was stopped.';
  if (error instanceof Error) return error.message;
  return String(error);
}

function formatSeconds(ms: number): string {
  return ms % 1000 === 0 ? `${ms / 1000} s` : `${(ms / 1000).toFixed(1)} s`;
}
