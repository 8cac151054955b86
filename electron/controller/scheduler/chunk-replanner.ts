import { chooseBlender } from '../../../node-agent/protocol/index.js';
import type { AgentRuntime, AgentView } from '../agents/agent-runtime.js';
import type { TaskRecord } from '../model/job-model.js';
import { DEFAULT_FRAME_MS, DEFAULT_STARTUP_MS, DEFAULT_TARGET_CHUNK_MINUTES } from '../jobs/chunk-plan/plan-defaults.js';
import { chunksOfSizes, planChunkSizes, type PlanSlot } from '../jobs/chunk-plan/plan-chunks.js';
import type { PlanningMemory } from '../jobs/chunk-plan/planning-memory.js';
import { isPreviewTask, replacementTasks, replannableTail } from '../jobs/chunk-plan/replan-tail.js';
import type { ChunkPlanRecord } from '../jobs/chunk-plan/chunk-plan-sentence.js';
import { DEFAULT_TASK_PAGE_SIZE } from '../store/job-layout.js';
import { ChunkMeasures } from './chunk-measures.js';
import { agentMayRunTask } from './dispatch-policy.js';
import type { JobRuntime } from './job-runtime.js';
import type { SchedulerState } from './scheduler-state.js';
import type { SchedulerEvents } from './scheduler-ports.js';
import { isTerminalJobState } from './task-state.js';

/**
 * Re-plans a job's queued chunks as the farm learns what they cost (issue 19's adaptive
 * chunks). The planner itself is pure (jobs/chunk-plan/plan-chunks.ts); this part gathers its
 * inputs and applies its answer:
 * - the slots able to run the job now (online, enabled, meeting its requirements), each with
 *   its agent's Blender start-up (measured on its tasks, remembered per agent and Blender
 *   version in the planning memory) and its own frame time once it rendered two frames;
 * - the job's per-frame time from its own frames, before them an earlier job's of the same
 *   scene, else the default;
 * - what each slot still has to render of the job's running chunks.
 * A job is planned again when it arrives, when the slots change, and when its measured frame
 * time moves by more than a quarter (the first measure included) or an agent's start-up is
 * first measured. The re-plans run right before a dispatch round (Dispatcher's `beforeRound`),
 * so a chunk is sized with everything known when it is handed out, and only the never-started
 * tail changes (replan-tail.ts; TaskVerbs.replan applies it). Jobs with `--chunk N` (or
 * unbaked simulations) are not adaptive and are never touched.
 */

/** A measured frame time this far from the one last planned with re-plans the job. */
const REPLAN_CHANGE = 0.25;

interface JobPlanState {
  measures: ChunkMeasures;
  /** The measured frame time the last plan used (null before one was). */
  plannedFrameMs: number | null;
}

export interface ChunkReplannerDeps {
  state: Pick<SchedulerState, 'jobs' | 'agents' | 'verbs' | 'jobTouched'>;
  events: Pick<SchedulerEvents, 'notice'>;
  memory: PlanningMemory | null;
  agentFailureLimit: number;
  dispatchSoon(): void;
}

export class ChunkReplanner {
  readonly #jobs = new Map<string, JobPlanState>();
  readonly #dirty = new Set<string>();
  /** What each agent's slots looked like when last seen (agentChanged). */
  readonly #agentsSeen = new Map<string, string>();

  constructor(private readonly deps: ChunkReplannerDeps) {}

  /** A job joined the scheduler: planned again before its first chunk goes out. */
  jobAdded(job: JobRuntime): void {
    if (!isAdaptive(job)) return;
    this.#dirty.add(job.id);
  }

  jobRemoved(jobId: string): void {
    this.#jobs.delete(jobId);
    this.#dirty.delete(jobId);
  }

  /** A task changed (scheduler events): its frames and start-up are measures. */
  taskChanged(task: TaskRecord): void {
    if (task.spec.type !== 'blender' || !task.agentId) return;
    const job = this.deps.state.jobs.get(task.jobId);
    if (!job) return;
    const plan = this.#planState(job);
    const agent = this.deps.state.agents.get(task.agentId);
    const version = agent ? blenderVersionFor(agent, task) : 'unknown';
    const { newStartup } = plan.measures.observe(task, this.deps.memory?.startupMs(task.agentId, version) ?? DEFAULT_STARTUP_MS);
    if (newStartup) this.deps.memory?.noteStartup(task.agentId, version, task.startupMs!);
    const frameMs = plan.measures.frameMs();
    if (frameMs !== null) {
      const scene = job.record.inputFiles[0];
      if (scene) this.deps.memory?.noteSceneFrameMs(scene.sha256, scene.path, frameMs);
    }
    if (!isAdaptive(job)) return;
    const moved = frameMs !== null && (plan.plannedFrameMs === null || Math.abs(frameMs - plan.plannedFrameMs) > REPLAN_CHANGE * plan.plannedFrameMs);
    if ((moved || newStartup) && !this.#dirty.has(job.id)) {
      this.#dirty.add(job.id);
      this.deps.dispatchSoon();
    }
  }

  /** An agent changed: when it came, went, was enabled or disabled, or its slots or task types changed, every adaptive job's slots may have. */
  agentChanged(view: AgentView): void {
    const seen = `${view.online && view.enabled}|${view.slots}|${view.taskTypes.join(',')}|${view.tags.join(',')}`;
    if (this.#agentsSeen.get(view.agentId) === seen) return;
    this.#agentsSeen.set(view.agentId, seen);
    let any = false;
    for (const job of this.deps.state.jobs.values()) if (isAdaptive(job) && !isTerminalJobState(job.state)) {
      this.#dirty.add(job.id);
      any = true;
    }
    if (any) this.deps.dispatchSoon();
  }

  /** Re-plans every job marked since the last round (called right before a dispatch round). */
  beforeRound(): void {
    if (this.#dirty.size === 0) return;
    const ids = [...this.#dirty];
    this.#dirty.clear();
    for (const id of ids) {
      const job = this.deps.state.jobs.get(id);
      if (job) this.replan(job);
    }
  }

  /** Plans the job's never-started tail again; returns whether it changed. */
  replan(job: JobRuntime): boolean {
    const r = job.record;
    if (!isAdaptive(job) || r.canceled || r.failure || isTerminalJobState(job.state)) return false;
    // Only the job's last store page is re-planned, and it never grows past that page: a re-plan
    // then rewrites one page and the job document, and the loader trusts the page if a crash
    // parts them (store/load-jobs.ts). A long job's earlier chunks keep their first plan.
    const pageStart = Math.floor(Math.max(0, r.tasks.length - 1) / DEFAULT_TASK_PAGE_SIZE) * DEFAULT_TASK_PAGE_SIZE;
    const tail = replannableTail(r.tasks, pageStart);
    if (!tail) return false;
    const plan = this.#planState(job);
    const template = r.tasks[tail.start]!;
    const { frameMs, source } = this.#frameEstimate(job, plan);
    const slots = this.#slots(job, template, plan, frameMs);
    if (slots.length === 0) return false; // nobody can run it now: planned when someone can
    const minutes = typeof r.settings.targetChunkMinutes === 'number' ? r.settings.targetChunkMinutes : DEFAULT_TARGET_CHUNK_MINUTES;
    const sizes = planChunkSizes({ frameCount: tail.frames.length, slots, targetChunkMs: minutes * 60_000 });
    plan.plannedFrameMs = source === 'measured' ? frameMs : plan.plannedFrameMs;
    if (sizes.length === tail.sizes.length && sizes.every((s, i) => s === tail.sizes[i])) return false;
    if (tail.start + sizes.length + (tail.video ? 1 : 0) > pageStart + DEFAULT_TASK_PAGE_SIZE) return false;
    const next = replacementTasks(r.tasks, tail, chunksOfSizes(tail.frames, sizes));
    this.deps.state.verbs.replan(job, tail.start, next);
    const frameTasks = r.tasks.filter((t) => t.spec.type === 'blender' && !isPreviewTask(t));
    r.settings.chunkSize = Math.max(1, ...frameTasks.map((t) => (t.spec.type === 'blender' ? t.spec.frames.length : 1)));
    const record: ChunkPlanRecord = { chunks: frameTasks.length, frameMs: Math.round(frameMs), source, replans: ((r.settings.chunkPlan as ChunkPlanRecord | undefined)?.replans ?? 0) + 1 };
    r.settings.chunkPlan = record;
    this.deps.state.jobTouched(job);
    if (sizes.length !== tail.sizes.length) {
      this.deps.events.notice('info', `Job "${r.name}": re-planned ${tail.sizes.length} queued chunk(s) into ${sizes.length} from ${describeSource(source, frameMs)} on ${slots.length} slot(s).`);
    }
    return true;
  }

  #planState(job: JobRuntime): JobPlanState {
    let plan = this.#jobs.get(job.id);
    if (!plan) {
      plan = { measures: new ChunkMeasures(), plannedFrameMs: null };
      this.#jobs.set(job.id, plan);
    }
    return plan;
  }

  #frameEstimate(job: JobRuntime, plan: JobPlanState): { frameMs: number; source: PlanSource } {
    const measured = plan.measures.frameMs();
    if (measured !== null) return { frameMs: measured, source: 'measured' };
    const scene = job.record.inputFiles[0];
    const remembered = scene ? this.deps.memory?.sceneFrameMs(scene.sha256, scene.path) ?? null : null;
    if (remembered !== null) return { frameMs: remembered, source: 'scene' };
    return { frameMs: DEFAULT_FRAME_MS, source: 'default' };
  }

  /** One entry per slot that may run the job: start-up, frame time, and what it still renders of the job. */
  #slots(job: JobRuntime, template: TaskRecord, plan: JobPlanState, frameMs: number): PlanSlot[] {
    const slots: PlanSlot[] = [];
    for (const agent of this.deps.state.agents.values()) {
      if (!agent.online || !agent.enabled || !agentMayRunTask(agent, job, template, this.deps.agentFailureLimit)) continue;
      const startupMs = this.deps.memory?.startupMs(agent.agentId, blenderVersionFor(agent, template)) ?? DEFAULT_STARTUP_MS;
      const own = plan.measures.agentFrameMs(agent.agentId) ?? frameMs;
      const busy = [...agent.running.values()].filter((t) => t.jobId === job.id).map((t) => Math.max(0, (t.spec.type === 'blender' ? t.spec.frames.length : 1) * (1 - t.progress)) * own);
      for (let i = 0; i < Math.min(agent.slots, 256); i++) slots.push({ startupMs, frameMs: own, freeInMs: busy[i] ?? 0 });
    }
    return slots;
  }
}

type PlanSource = 'measured' | 'scene' | 'default';

function describeSource(source: PlanSource, frameMs: number): string {
  const time = `${(frameMs / 1000).toFixed(frameMs < 10_000 ? 1 : 0)} s/frame`;
  return source === 'measured' ? `measured ${time}` : source === 'scene' ? `${time} measured on an earlier job of this scene` : `the default ${time}`;
}

function isAdaptive(job: JobRuntime): boolean {
  return job.record.type === 'blender' && job.record.settings.adaptiveChunks === true;
}

/** The Blender version the agent runs the task with (its start-ups are kept per version). */
function blenderVersionFor(agent: AgentRuntime, task: TaskRecord): string {
  if (task.spec.type !== 'blender') return 'unknown';
  const caps = agent.capabilities;
  const installs = caps.blenders ?? (caps.blender ? [{ ...caps.blender, devices: [] }] : []);
  return chooseBlender(installs, task.spec.blender)?.version ?? 'unknown';
}
