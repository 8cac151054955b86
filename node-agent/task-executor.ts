import { basename, isAbsolute, relative, sep } from 'node:path';
import type { InputCache } from './input-cache.js';
import { DEFAULT_SCENE_PATH, WorkspacePathError, type JobLease, type JobWorkspaces } from './job-workspace.js';
import type { JobWorkspaceLists } from './job-workspace-lists.js';
import type { OutputHold } from './output-hold.js';
import { describeFile, type BlenderInstall, type Capabilities, type JobWorkspace, type Message, type MessageOf, type OutputRef } from './protocol/index.js';
import { runBlenderTask } from './runners/blender-runner.js';
import { blenderForTask, scriptsForTask } from './runners/blender-for-task.js';
import { pathMapSnippet } from './runners/blender-python-step.js';
import { runFfmpegSpec } from './runners/ffmpeg-task.js';
import { runNoopTask } from './runners/noop-runner.js';
import type { RunnerResult } from './runners/runner-result.js';
import { TaskCanceledError, TaskFailedError } from './runners/task-errors.js';
import { LiveOutputs } from './live-outputs.js';
import { TaskLogBuffer } from './task-log-buffer.js';
import { TaskStop } from './task-stop.js';
import { TaskWorkDir } from './task-work-dir.js';
import type { RenderDeviceSetup } from './render-device.js';
import { deviceStepFor } from './runners/device-step.js';

/**
 * Runs the tasks the controller assigns: fetches missing inputs, runs the job type's
 * runner, hashes the outputs into the hold and reports. It decides nothing about
 * scheduling; it only refuses task types this agent was not started to run.
 */

export interface ExecutorDeps {
  cache: InputCache;
  hold: OutputHold;
  /** Where a job's scene and the files it needs are laid out as on the artist's disk. */
  workspaces: JobWorkspaces;
  /** The `job.workspace` lists received: a Blender task with `workspace` is laid out from its job's. */
  lists: JobWorkspaceLists;
  workRoot: string;
  scratchHome: string;
  /** What this agent runs, as confirmed so far (a first start may still be checking a tool). */
  capabilities(): Capabilities;
  /** The render device and the GPUs it uses (`--render-device`, `--gpus`); absent: the CPU. */
  renderSetup?(): RenderDeviceSetup;
  /** `--cpu-threads`: Blender's `-t` for a task without threads of its own. */
  cpuThreads?: number;
  /** Sends to the connected controller; false when none is connected (the result then waits in the hold). */
  send(message: Message): boolean;
  /**
   * Streams a finished output of a running task to the connected controller (liveOutputs);
   * resolves false when there is none or the stream broke: the file then goes with the others
   * after the task, from the hold.
   */
  sendFile?(path: string, ref: OutputRef, task: { taskId: string; attempt: number }): Promise<boolean>;
  log(line: string): void;
}

interface RunningTask {
  jobId: string;
  taskId: string;
  attempt: number;
  stop: TaskStop;
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
      previous.stop.stop('cancel');
    }
    const task: RunningTask = { jobId: assign.jobId, taskId: assign.taskId, attempt: assign.attempt, stop: new TaskStop() };
    this.running.set(assign.taskId, task);
    this.deps.log(`task ${assign.taskId} attempt ${assign.attempt} started: ${describeSpec(assign.spec)}`);
    const timer = setTimeout(() => {
      task.stop.stop('timeout');
    }, assign.timeoutMs);
    void this.run(assign, task).finally(() => {
      clearTimeout(timer);
      if (this.running.get(assign.taskId) === task) this.running.delete(assign.taskId);
    });
  }

  cancel(taskId: string, attempt: number): void {
    const task = this.running.get(taskId);
    if (!task || task.attempt !== attempt) return;
    task.stop.stop('cancel');
  }

  cancelAll(): void {
    for (const task of this.running.values()) {
      task.stop.stop('cancel');
    }
  }

  private async run(assign: MessageOf<'task.assign'>, task: RunningTask): Promise<void> {
    const key = { taskId: assign.taskId, attempt: assign.attempt };
    const workDir = new TaskWorkDir(this.deps.workRoot, assign.taskId, assign.attempt);
    const logs = new TaskLogBuffer((lines) => this.deps.send({ type: 'task.log', ...key, lines }));
    const started = performance.now();
    let unpin: (() => void) | null = null; // the task's inputs stay in the cache while it runs
    // Both taken before anything awaits: a `job.ended` after this `task.assign` then waits for
    // the task, and a `job.workspace` after it does not change what the task renders.
    const lease = assign.spec.type === 'blender' ? this.deps.workspaces.lease(assign.jobId) : null;
    const jobWorkspace = assign.spec.type === 'blender' && assign.spec.workspace ? this.deps.lists.get(assign.jobId) : undefined;
    try {
      const capabilities = this.deps.capabilities();
      if (capabilities.checking?.includes(assign.spec.type)) throw new TaskFailedError(`This agent is still checking that its tool for "${assign.spec.type}" tasks runs; give the task again in a moment.`);
      if (!capabilities.taskTypes.includes(assign.spec.type)) {
        throw new TaskFailedError(`This agent does not run "${assign.spec.type}" tasks; start it with the tool installed (or --allow-noop for test tasks).`);
      }
      if (assign.spec.type === 'blender' && assign.spec.workspace && !jobWorkspace) {
        throw new TaskFailedError(`The controller did not send job ${assign.jobId}'s file list before its task; the task will be retried.`);
      }
      // Which Blender, and whether the scene's scripts run: refused before any file is fetched.
      const renderer = assign.spec.type === 'blender'
        ? { blender: blenderForTask(capabilities, assign.spec), runScripts: scriptsForTask(capabilities, assign.spec) }
        : undefined;
      // Empty lists skip their await: at thousands of tasks a second each turn of the microtask queue shows.
      const needed = neededFiles(assign, jobWorkspace);
      if (needed.length > 0) unpin = this.deps.cache.pin(needed.map((f) => f.sha256));
      const inputs = needed.length === 0 ? [] : await Promise.all(needed.map((input) =>
        this.deps.cache.obtain(input.sha256, input.size, () => this.deps.send({ type: 'input.request', sha256: input.sha256 }))));
      let lastProgress = 0;
      const live = assign.liveOutputs && this.deps.sendFile ? new LiveOutputs(key, this.deps.sendFile, this.deps.log) : null;
      const result = await this.runSpec(assign, inputs, workDir, { lease, workspace: jobWorkspace, renderer }, {
        stop: task.stop,
        onProgress: (update) => {
          const now = performance.now();
          if (update.fraction < 1 && now - lastProgress < PROGRESS_INTERVAL_MS) return;
          lastProgress = now;
          this.deps.send({ type: 'task.progress', ...key, ...update });
        },
        onLog: (line) => logs.push(line),
        ...(live ? { onOutput: (path: string) => live.add(path) } : {}),
      }).finally(() => live?.settled());
      logs.flush();
      // Outputs sent while the task ran, or checked by the runner, were hashed then; the rest are hashed now.
      const refs = new Map<string, OutputRef>([...(result.described ?? []), ...(live ? await live.settled() : [])]);
      const files = result.outputs.length === 0 ? [] : await Promise.all(result.outputs.map(async (path) => ({ path, ref: refs.get(path) ?? await describeFile(path, outputName(workDir.path, path)) })));
      const held = await this.deps.hold.hold({ ...key, jobId: assign.jobId }, files);
      if (assign.keepOutputs) {
        const stored = this.deps.hold.get(assign.taskId, assign.attempt)!;
        for (const output of held.outputs) await this.deps.cache.adopt(stored.pathOf(output), output.sha256);
      }
      const warnings = result.warnings?.length ? { warnings: result.warnings } : {};
      this.deps.send({ type: 'task.done', ...key, outputs: held.outputs, elapsedMs: performance.now() - started, ...warnings });
    } catch (error) {
      logs.flush();
      if (task.stop.reason === 'cancel') {
        this.deps.log(`task ${assign.taskId} attempt ${assign.attempt} stopped: canceled by the controller`);
        return;
      }
      const message = task.stop.reason === 'timeout'
        ? `The task exceeded its wall-clock limit of ${formatSeconds(assign.timeoutMs)} and was stopped; raise the limit or use smaller chunks.`
        : errorMessage(error);
      const unrecoverable = error instanceof TaskFailedError && error.unrecoverable && !task.stop.stopped;
      this.deps.log(`task ${assign.taskId} attempt ${assign.attempt} failed: ${message}`);
      const fault = error instanceof TaskFailedError && error.sceneFault && !task.stop.stopped ? { sceneFault: error.sceneFault.slice(0, 500) } : {};
      this.deps.send({ type: 'task.failed', ...key, error: message.slice(0, 4000), unrecoverable, ...fault });
    } finally {
      unpin?.();
      lease?.release();
      if (workDir.created) await workDir.remove();
    }
  }

  /**
   * Lays the scene and its job's files out in the job's workspace (the scene under its real
   * name) and renders there, with absolute paths mapped into the workspace by the Python step.
   * Without a job workspace list the scene renders alone, at its `scenePath`.
   */
  private async renderInWorkspace(
    assign: MessageOf<'task.assign'>,
    spec: Extract<MessageOf<'task.assign'>['spec'], { type: 'blender' }>,
    sceneFile: string,
    job: TaskJob,
    workDir: TaskWorkDir,
    hooks: RunHooks,
  ): Promise<RunnerResult> {
    const scenePath = job.workspace?.scenePath ?? spec.scenePath ?? DEFAULT_SCENE_PATH;
    const files = [
      { path: scenePath, sha256: assign.inputs[0]!.sha256, source: sceneFile },
      // The scene's own place is the scene's: a file listed there too cannot replace it.
      ...(job.workspace?.files ?? []).filter((f) => f.path !== scenePath).map((f) => ({
        path: f.path, sha256: f.sha256, source: this.deps.cache.pathOf(f.sha256), ...(f.copy ? { copy: true } : {}),
      })),
    ];
    const placed = await job.lease!.place(scenePath, files).catch((error: unknown) => {
      if (error instanceof WorkspacePathError) throw new TaskFailedError(error.message, { unrecoverable: true });
      throw error;
    });
    const mapping = pathMapSnippet(job.workspace?.pathMap ?? [], placed.root);
    const { blender, runScripts } = job.renderer!;
    const which = `Blender ${blender.version} at ${blender.path}${runScripts ? " with the scene's scripts (-y)" : ''}`;
    this.deps.log(`task ${assign.taskId} attempt ${assign.attempt} renders with ${which}`);
    hooks.onLog(`farmhand: rendering with ${which}`);
    return runBlenderTask({
      blenderPath: blender.path,
      runScripts,
      scenePath: placed.scenePath,
      sceneName: assign.inputs[0]!.name,
      workDir: await workDir.ensure(),
      spec: { ...spec, threads: spec.threads ?? this.deps.cpuThreads },
      device: deviceStepFor(spec, this.deps.renderSetup?.() ?? { renderDevice: 'cpu', deviceIds: [] }, blender),
      scratchHome: this.deps.scratchHome,
      pythonSnippets: mapping ? [mapping] : [],
      signal: hooks.stop.signal,
      onProgress: hooks.onProgress,
      onLog: hooks.onLog,
      onOutput: hooks.onOutput,
    });
  }

  private runSpec(
    assign: MessageOf<'task.assign'>,
    inputs: string[],
    workDir: TaskWorkDir,
    job: TaskJob,
    hooks: RunHooks,
  ): Promise<RunnerResult> {
    const spec = assign.spec;
    const { stop, onProgress, onLog } = hooks;
    // Runners that always write files get their folder up front; the no-op runner creates it only when it writes.
    switch (spec.type) {
      case 'noop':
        return runNoopTask({ spec, workDir, stop, onLog });
      case 'blender': {
        if (!job.renderer) throw new TaskFailedError('Blender is not installed on this agent; install it or pass --blender PATH.');
        if (inputs.length < 1) throw new TaskFailedError('A Blender task needs an input: the scene.', { unrecoverable: true });
        return this.renderInWorkspace(assign, spec, inputs[0]!, job, workDir, hooks);
      }
      case 'transcode-chunk':
      case 'transcode-audio':
      case 'transcode-join':
      case 'frames-video':
      case 'tiles-merge': {
        const ffmpeg = this.deps.capabilities().ffmpeg;
        if (!ffmpeg) throw new TaskFailedError('ffmpeg is not installed on this agent; install it or pass --ffmpeg PATH.');
        return workDir.ensure().then((path) => runFfmpegSpec({ spec, inputs, workDir: path, ffmpegPath: ffmpeg.path, signal: stop.signal, onProgress, onLog }));
      }
      default: {
        const unknown: never = spec;
        throw new TaskFailedError(`Unknown task type ${JSON.stringify(unknown)}.`);
      }
    }
  }
}

/** A Blender task's hold on its job's workspace, and the job's workspace list when the task names it. */
interface TaskJob {
  lease: JobLease | null;
  workspace: JobWorkspace | undefined;
  /** The Blender chosen for the task, and whether the scene's scripts run (blender-for-task.ts). */
  renderer?: { blender: BlenderInstall; runScripts: boolean };
}

/** What a running task reports through, and how it is stopped: the same for every runner. */
interface RunHooks {
  stop: TaskStop;
  onProgress: (u: { fraction: number; framesDone?: number; currentFrame?: number; message?: string; startupMs?: number }) => void;
  onLog: (line: string) => void;
  /** A finished output file, for live outputs (renders sent frame by frame). */
  onOutput?: (path: string) => void;
}

/** The task's inputs and, for a Blender task with a job workspace, every file it needs (each hash once). */
function neededFiles(assign: MessageOf<'task.assign'>, workspace: JobWorkspace | undefined): { sha256: string; size: number }[] {
  if (!workspace?.files.length) return assign.inputs;
  const seen = new Set(assign.inputs.map((i) => i.sha256));
  const extra = workspace.files.filter((f) => !seen.has(f.sha256) && (seen.add(f.sha256), true));
  return [...assign.inputs, ...extra];
}

/** A file's name on the wire: its path under the task's folder with `/` (a File Output pass: `passes/fg_0001.png`), or its own name. */
function outputName(workDir: string, path: string): string {
  const rel = relative(workDir, path);
  if (rel === '' || rel.startsWith('..') || isAbsolute(rel)) return basename(path);
  return rel.split(sep).join('/');
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
