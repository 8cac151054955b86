import type { AgentView, JobSummary, TaskView } from '../../../electron/controller/api/contract.js';
import { estimateEta, type Eta } from '../model/estimate-eta.js';
import { capableSlots, remainingTaskType } from '../model/job-capacity.js';
import { steadyEta, type ShownEta } from '../model/steady-eta.js';
import { useAgentsStore } from './agents-store.js';

/**
 * The last ETA shown per running job, so the next one is held to it (steady-eta.ts), and the
 * jobs list and the job's detail show the same one. Dropped when the job stops running.
 */
const shown = new Map<string, ShownEta>();

/** The job's ETA now, or null ("—"): measured, over the slots that can run it, steadied. */
export function useJobEta(job: JobSummary, tasks: readonly TaskView[]): Eta | null {
  const type = remainingTaskType(tasks);
  const tags = job.tags?.join(',') ?? '';
  const slots = useAgentsStore((s) => (job.waitingReason ? 0 : slotsFor(s.byId, type, tags)));
  return jobEtaNow(job, tasks, slots, Date.now());
}

/** Capable slots per task type and tags, counted once per agents update however many job rows ask (500 agents × every row, every event). */
const slotsCache = new WeakMap<object, Map<string, number>>();
function slotsFor(byId: Record<string, AgentView>, type: string | null, tags: string): number {
  let perKind = slotsCache.get(byId);
  if (!perKind) slotsCache.set(byId, (perKind = new Map()));
  const key = `${type} ${tags}`;
  let slots = perKind.get(key);
  if (slots === undefined) perKind.set(key, (slots = capableSlots(Object.values(byId), tags ? { tags: tags.split(',') } : {}, type)));
  return slots;
}

/** The same without React: what useJobEta shows for `slots` capable slots at `now`. */
export function jobEtaNow(job: JobSummary, tasks: readonly TaskView[], slots: number, now: number): Eta | null {
  const reading = job.state === 'running' ? estimateEta(tasks, slots) : null;
  if (reading === null) {
    shown.delete(job.id);
    return null;
  }
  const eta = steadyEta(shown.get(job.id) ?? null, reading, now);
  shown.set(job.id, eta);
  return eta;
}
