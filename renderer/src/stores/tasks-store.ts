import { create } from 'zustand';
import type { TaskView } from '../../../electron/controller/api/contract.js';

/**
 * Tasks of the jobs the UI shows, loaded per job on demand (task-loader.ts) and kept current
 * by task events. A job's tasks are an array in task order, replaced (not mutated) once per
 * animation frame, so a 10,000-task job costs one array copy per frame, not one per event.
 */
export interface JobTasks {
  items: TaskView[];
  status: 'loading' | 'loaded' | 'error';
  error: string | null;
  /** The connection generation it was loaded in; an older one is reloaded. */
  generation: number;
}

interface TasksState {
  byJob: Record<string, JobTasks>;
  /** Tasks assigned or running now, by agent: the nodes view's "current task". */
  activeByAgent: Record<string, Record<string, TaskView>>;
}

export const useTasksStore = create<TasksState>(() => ({ byJob: {}, activeByAgent: {} }));

const ACTIVE = new Set(['assigned', 'running']);
/** Events for a job whose tasks are being fetched wait here, then apply over the fetched page. */
const pending = new Map<string, TaskView[]>();

export function markTasksLoading(jobId: string, generation: number): void {
  pending.set(jobId, []);
  useTasksStore.setState((s) => ({ byJob: { ...s.byJob, [jobId]: { items: s.byJob[jobId]?.items ?? [], status: 'loading', error: null, generation } } }));
}

export function setLoadedTasks(jobId: string, items: TaskView[], generation: number): void {
  const sorted = [...items].sort((a, b) => a.index - b.index);
  useTasksStore.setState((s) => ({
    byJob: { ...s.byJob, [jobId]: { items: sorted, status: 'loaded', error: null, generation } },
    activeByAgent: indexActive(s.activeByAgent, sorted),
  }));
  const waiting = pending.get(jobId) ?? [];
  pending.delete(jobId);
  applyTaskChanges(waiting);
}

export function setTasksLoadError(jobId: string, error: string, generation: number): void {
  pending.delete(jobId);
  useTasksStore.setState((s) => ({ byJob: { ...s.byJob, [jobId]: { items: s.byJob[jobId]?.items ?? [], status: 'error', error, generation } } }));
}

export function forgetJobTasks(jobIds: string[]): void {
  if (jobIds.length === 0) return;
  useTasksStore.setState((s) => {
    const byJob = { ...s.byJob };
    for (const id of jobIds) {
      delete byJob[id];
      pending.delete(id);
    }
    const activeByAgent: TasksState['activeByAgent'] = {};
    for (const [agentId, tasks] of Object.entries(s.activeByAgent)) {
      const kept = Object.fromEntries(Object.entries(tasks).filter(([, t]) => !jobIds.includes(t.jobId)));
      if (Object.keys(kept).length) activeByAgent[agentId] = kept;
    }
    return { byJob, activeByAgent };
  });
}

/** Applies one animation frame's task events: one new array per touched job. */
export function applyTaskChanges(changed: TaskView[]): void {
  if (changed.length === 0) return;
  useTasksStore.setState((s) => {
    const perJob = new Map<string, TaskView[]>();
    for (const task of changed) {
      const waiting = pending.get(task.jobId);
      if (waiting) waiting.push(task);
      else if (s.byJob[task.jobId]?.status === 'loaded') {
        const list = perJob.get(task.jobId) ?? [];
        list.push(task);
        perJob.set(task.jobId, list);
      }
    }
    const byJob = { ...s.byJob };
    for (const [jobId, tasks] of perJob) {
      const current = byJob[jobId]!;
      const items = current.items.slice();
      for (const task of tasks) {
        const at = items[task.index]?.id === task.id ? task.index : items.findIndex((t) => t.id === task.id);
        if (at >= 0) items[at] = task;
        else items.push(task);
      }
      byJob[jobId] = { ...current, items };
    }
    return { byJob, activeByAgent: indexActive(s.activeByAgent, changed) };
  });
}

/**
 * A job whose queued chunks were re-planned into fewer (the controller's chunk planner) has
 * fewer tasks than before: its summary's task count says so, and the tasks past it, whose ids
 * no longer exist, leave the loaded list (the re-planned ones came as task events).
 */
export function trimReplannedTasks(jobs: readonly { id: string; taskCount: number }[]): void {
  const shrunk = jobs.filter((job) => {
    const loaded = useTasksStore.getState().byJob[job.id];
    return loaded !== undefined && loaded.items.length > job.taskCount;
  });
  if (shrunk.length === 0) return;
  useTasksStore.setState((s) => {
    const byJob = { ...s.byJob };
    for (const job of shrunk) {
      const current = byJob[job.id]!;
      byJob[job.id] = { ...current, items: current.items.filter((t) => t.index < job.taskCount) };
    }
    return { byJob };
  });
}

/**
 * Moves each task into (or out of) its agent's active set. Where each task is active is looked
 * up once per call (at most a farm's slots), not searched across every agent per task: with 500
 * agents, loading a 30,000-task job took 15 million steps; now each agent's set is copied at
 * most once per call too.
 */
function indexActive(before: TasksState['activeByAgent'], tasks: TaskView[]): TasksState['activeByAgent'] {
  let after = before;
  const copied = new Set<string>();
  const touch = (agentId: string) => {
    if (after === before) after = { ...before };
    if (!copied.has(agentId)) {
      after[agentId] = { ...(after[agentId] ?? {}) };
      copied.add(agentId);
    }
    return after[agentId]!;
  };
  const activeOn = new Map<string, string>();
  for (const [agentId, active] of Object.entries(before)) for (const taskId of Object.keys(active)) activeOn.set(taskId, agentId);
  for (const task of tasks) {
    const was = activeOn.get(task.id);
    if (was !== undefined && (was !== task.agentId || !ACTIVE.has(task.state))) {
      delete touch(was)[task.id];
      activeOn.delete(task.id);
    }
    if (task.agentId && ACTIVE.has(task.state)) {
      touch(task.agentId)[task.id] = task;
      activeOn.set(task.id, task.agentId);
    }
  }
  return after;
}
