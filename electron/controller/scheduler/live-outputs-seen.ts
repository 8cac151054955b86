import type { FileRef } from '../../../node-agent/protocol/index.js';
import type { TaskRecord } from '../model/job-model.js';

/**
 * What arrived of a running task's live outputs (a render's frames, sent as Blender saves
 * them): which are on their way and which are in place with which hash. When the task ends,
 * its `task.done` lists every output with its hash; those that arrived with that hash count
 * as collected, those still arriving will be, and only the rest are fetched from the hold.
 * Kept per task record and attempt (a new attempt starts empty); nothing here is stored:
 * after a controller restart the task's outputs are collected from the agent's hold as before.
 */
interface Seen {
  attempt: number;
  arriving: Set<string>;
  arrived: Map<string, string>;
}

export class LiveOutputsSeen {
  private readonly byTask = new WeakMap<TaskRecord, Seen>();

  /** A live output of the task's current attempt was accepted and is being received. */
  arriving(task: TaskRecord, name: string): void {
    let seen = this.byTask.get(task);
    if (!seen || seen.attempt !== task.attempt) {
      seen = { attempt: task.attempt, arriving: new Set(), arrived: new Map() };
      this.byTask.set(task, seen);
    }
    seen.arriving.add(name);
  }

  /** The file is in place; true when it was a live output of the current attempt. */
  arrived(task: TaskRecord, file: FileRef): boolean {
    const seen = this.current(task);
    if (!seen?.arriving.delete(file.name)) return false;
    seen.arrived.set(file.name, file.sha256);
    return true;
  }

  /** The file did not arrive intact; it will be fetched after the task like any other. */
  failed(task: TaskRecord, name: string): void {
    this.current(task)?.arriving.delete(name);
  }

  /** At the task's end: its outputs already in place (same name and hash), and those still arriving. */
  settle(task: TaskRecord, outputs: readonly FileRef[]): { collected: string[]; coming: Set<string> } {
    const seen = this.current(task);
    if (!seen) return { collected: [], coming: new Set() };
    return {
      collected: outputs.filter((o) => seen.arrived.get(o.name) === o.sha256).map((o) => o.name),
      coming: new Set(outputs.filter((o) => seen.arriving.has(o.name)).map((o) => o.name)),
    };
  }

  private current(task: TaskRecord): Seen | undefined {
    const seen = this.byTask.get(task);
    return seen && seen.attempt === task.attempt ? seen : undefined;
  }
}
