import type { TaskRecord } from '../model/job-model.js';
import { frameTimesOf } from './frame-times.js';

/**
 * One job's measured per-frame times, per agent and overall, fed from its tasks as they
 * report (frame-times.ts), counted once per frame of each attempt. A chunk's first frame is
 * left out: its time runs from the attempt's start, so it holds Blender's start-up, which is
 * measured on its own (TaskRecord.startupMs). A one-frame task counts when it succeeds, its
 * time less its start-up. A tile's time is left out: it renders a region, not a frame.
 */
export class ChunkMeasures {
  readonly #perAgent = new Map<string, { sum: number; n: number }>();
  #sum = 0;
  #n = 0;
  /** Per task: the attempt counted and how many of its frames. */
  readonly #counted = new Map<string, { attempt: number; frames: number; startup: boolean }>();

  /**
   * Counts what `task` measured since last time. Returns whether it brought the task's first
   * start-up of this attempt (for the planning memory).
   */
  observe(task: TaskRecord, startupFallbackMs: number): { newStartup: boolean } {
    if (task.spec.type !== 'blender' || !task.agentId || task.attempt === 0) return { newStartup: false };
    let seen = this.#counted.get(task.id);
    if (!seen || seen.attempt !== task.attempt) {
      seen = { attempt: task.attempt, frames: 0, startup: false };
      this.#counted.set(task.id, seen);
    }
    const newStartup = task.startupMs !== undefined && !seen.startup;
    if (newStartup) seen.startup = true;
    // A tile (`--tiles`) renders a region of its frame: its time is not a frame's, and would skew
    // the job's and the scene's frame time (kept for the next submit). Its start-up still counts.
    if (task.spec.region) return { newStartup };
    const done = task.state === 'succeeded';
    if (task.spec.frames.length === 1) {
      if (done && seen.frames === 0 && task.startedAt !== null && task.endedAt !== null) {
        seen.frames = 1;
        const ms = task.endedAt - task.startedAt - (task.startupMs ?? startupFallbackMs);
        if (ms > 0) this.#add(task.agentId, ms);
      }
      return { newStartup };
    }
    const times = frameTimesOf(task) ?? [];
    // The last frame's time may still be shared with the next report's (frame-times.ts): counted once the task is done.
    const upTo = done ? times.length : times.length - 1;
    for (let i = Math.max(1, seen.frames); i < upTo; i++) this.#add(task.agentId, times[i]!);
    seen.frames = Math.max(seen.frames, upTo);
    return { newStartup };
  }

  /** The job's mean frame time so far (ms), or null before any frame was measured. */
  frameMs(): number | null {
    return this.#n > 0 ? this.#sum / this.#n : null;
  }

  /** The agent's own mean (ms), once it rendered two frames or more, else null. */
  agentFrameMs(agentId: string): number | null {
    const a = this.#perAgent.get(agentId);
    return a && a.n >= 2 ? a.sum / a.n : null;
  }

  #add(agentId: string, ms: number): void {
    if (!Number.isFinite(ms) || ms < 0) return;
    this.#sum += ms;
    this.#n++;
    const a = this.#perAgent.get(agentId) ?? { sum: 0, n: 0 };
    a.sum += ms;
    a.n++;
    this.#perAgent.set(agentId, a);
  }
}
