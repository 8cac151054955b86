import { collectedFrames, isRenderPass } from '../controller/jobs/expected-outputs.js';
import type { JobSummary, TaskRecord } from '../controller/model/job-model.js';
import type { Farm } from './start-farm.js';

/**
 * A one-shot job followed to its end inside the farm: what is done (in frames, the unit a
 * user counts), and a clear failure instead of waiting forever when no agent can ever run
 * it, or when the controller paused it for the same error on two agents (nobody would resume it). The CLI only draws the progress this reports and asks for a cancel on Ctrl-C; it does
 * not reach into the scheduler.
 */

export interface JobProgress {
  /** Frames rendered or transcoded so far, of `total`. */
  done: number;
  total: number;
  /** 0..1, counting the running tasks' own progress. */
  fraction: number;
  /** Agents online. */
  agents: number;
  /** Tasks out on agents now. */
  running: number;
}

export interface JobRun {
  /** Resolves with the job's summary once it succeeded, failed or was canceled. */
  ended: Promise<JobSummary>;
  /** Cancels the job (the user pressed Ctrl-C); `ended` then resolves with it canceled. */
  cancel(): void;
  /** The latest figures (also sent to `onProgress`). */
  progress(): JobProgress;
}

/** Frames a task makes: a render chunk's frames, a transcode chunk's frame count, none for the rest (audio, join, video). */
export function framesOf(task: TaskRecord): number {
  if (task.spec.type === 'blender') return task.spec.region ? 0 : task.spec.frames.length; // a tile is part of a frame
  if (task.spec.type === 'tiles-merge') return 1;
  if (task.spec.type === 'transcode-chunk') return task.spec.frameCount;
  return 0;
}

/**
 * The frames a task brought back, one name each: a render's frames whose every file came back
 * (a stereo frame saved as one file per view counts once, named by its first view's file),
 * never the compositor's File Output passes (`passes/…`); another task's collected outputs.
 */
export function framesCollected(task: TaskRecord): string[] {
  if (task.spec.type === 'blender' && task.spec.region) return []; // a tile, in the work folder
  if (task.spec.type === 'blender') return collectedFrames(task.spec, task.collected).map((f) => f.file);
  return task.collected.filter((name) => !isRenderPass(task.spec, name));
}

/** How often the figures are sent when nothing changes (the agents' count can change without a task event). */
const TICK_MS = 500;
/** How often a waiting job is checked for an agent able to run it. */
const WATCHDOG_MS = 250;

export function runToEnd(farm: Farm, jobId: string, onProgress: (p: JobProgress) => void): JobRun {
  const { controller } = farm;
  const job = controller.scheduler.job(jobId);
  if (!job) throw new Error(`runToEnd: no job ${jobId} in this farm`);
  const total = job.record.tasks.reduce((n, t) => n + framesOf(t), 0);
  let done = 0;
  const progress = (): JobProgress => ({
    done,
    total,
    fraction: job.progress(),
    agents: controller.agents().filter((a) => a.online).length,
    running: job.counts.running + job.counts.assigned,
  });
  const report = () => onProgress(progress());
  const onTask = (task: TaskRecord) => {
    if (task.jobId !== jobId) return;
    if (task.state === 'succeeded') done += framesOf(task); // a task enters succeeded once
    report();
  };
  controller.events.on('task', onTask);
  const ticker = setInterval(report, TICK_MS);

  // Nobody able to run it: give discovery and reconnection a grace period, then fail clearly.
  let stuckSince: number | null = null;
  const watchdog = setInterval(() => {
    // Paused because two agents failed alike (scheduler/fail-fast.ts): no one is there to resume a one-shot job, so it fails with that sentence.
    if (job.record.paused && job.record.pauseReason) {
      controller.scheduler.jobControls.cancelJob(jobId, job.record.pauseReason);
      return;
    }
    const reason = job.unrunnableReason;
    if (!reason || !job.hasQueued()) {
      stuckSince = null;
      return;
    }
    stuckSince ??= Date.now();
    if (Date.now() - stuckSince >= farm.options.agentWait * 1000) {
      controller.scheduler.jobControls.cancelJob(jobId, `No agent can run this job: ${reason} Start an agent with the farm key (\`farmhand key\`), add one with --agent wss://HOST:PORT, or keep the local agent.`);
    }
  }, WATCHDOG_MS);

  const ended = controller.waitForJob(jobId).finally(() => {
    clearInterval(ticker);
    clearInterval(watchdog);
    controller.events.off('task', onTask);
    report();
  });
  return { ended, cancel: () => controller.scheduler.jobControls.cancelJob(jobId), progress };
}
