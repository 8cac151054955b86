import { chooseBlender } from '../../../node-agent/protocol/index.js';
import type { AgentRuntime, AgentView } from '../agents/agent-runtime.js';
import type { TaskRecord } from '../model/job-model.js';
import { DEFAULT_FRAME_MS, DEFAULT_STARTUP_MS, DEFAULT_TARGET_CHUNK_MINUTES } from '../jobs/chunk-plan/plan-defaults.js';
import { chunksOfSizes, planChunkSizes, type PlanSlot } from '../jobs/chunk-plan/plan-chunks.js';
import type { PlanningMemory } from '../jobs/chunk-plan/planning-memory.js';
import { isPreviewTask, replacementTasks, replannableTail, type ReplannableTail } from '../jobs/chunk-plan/replan-tail.js';
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
 *   version in the planning memory) and its own frame time once it rendered two frames (before
 *   that, the job's scaled by the agent's speed remembered from earlier jobs); and the
 *   slots of agents still checking their tools, as expected capacity;
 * - the job's per-frame time from its own frames, before them an earlier job's of the same
 *   scene, else the default;
 * - what each slot still has to render of its running chunks (this job's or another's).
 * A job is planned again when it arrives, when the slots change, and when its measured frame
 * time moves by more than a quarter (the first measure included) or an agent's start-up is
 * first measured. The re-plans run right before a dispatch round (Dispatcher's `beforeRound`),
 * and each chunk is sized once more for the agent taking it (`fitHead`, Dispatcher's
 * `beforeTake`): a list assumes an order of asking that the farm need not keep. Only the
 * never-started tail changes (replan-tail.ts; TaskVerbs.replan applies it). Jobs with
 * `--chunk N` (or unbaked simulations) are not adaptive and are never touched.
 */

/** A measured frame time this far from the one last planned with re-plans the job. */
const REPLAN_CHANGE = 0.25;

interface JobPlanState {
  measures: ChunkMeasures;
  /** The measured frame time the last plan used (null before one was). */
  plannedFrameMs: number | null;
  /** Tasks whose agent's speed was noted in the planning memory (once per chunk rendered to its end). */
  speedsNoted: Set<string>;
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
      // The agent's speed relative to the job's mean, once per chunk it rendered to its end (the
      // agent's last report, before its outputs are collected): the next job sizes this agent's
      // first chunk from it (#slots) instead of from the job's mean.
      const own = plan.measures.agentFrameMs(task.agentId);
      if (task.progress >= 1 && own !== null && frameMs > 0 && !plan.speedsNoted.has(task.id)) {
        plan.speedsNoted.add(task.id);
        this.deps.memory?.noteAgentSpeedFactor(task.agentId, own / frameMs);
      }
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
    const ready = this.#ready(job);
    if (!ready) return false;
    const { tail, slots } = ready;
    if (slots.length === 0) return false; // nobody can run it now: planned when someone can
    return this.#apply(job, ready, planChunkSizes({ frameCount: tail.frames.length, slots, targetChunkMs: ready.targetChunkMs }), 'replan');
  }

  /**
   * `agent` is about to take the job's next task (the dispatcher asks right before it takes
   * one). When that task is the head of the never-started tail, the head is sized for this
   * agent now: from its own measured speed, its start-up, and what the other slots still have to
   * render, as the planner's first chunk with this slot asking (plan-chunks.ts `askingSlot`),
   * and the rest of the tail is cut again behind it. A list planned earlier assumed some order
   * of asking; whoever asks first gets a chunk that fits it, so the agents still finish
   * together when a fast one frees up before a slow one did, or the reverse.
   */
  fitHead(job: JobRuntime, agent: AgentRuntime): void {
    const ready = this.#ready(job);
    if (!ready || job.peek() !== job.record.tasks[ready.tail.start]) return; // a retry or a preview goes first: nothing to size
    const askingSlot = ready.slots.findIndex((s) => s.agentId === agent.agentId && s.freeInMs === 0 && !s.expected);
    if (askingSlot === -1) return;
    const sizes = planChunkSizes({ frameCount: ready.tail.frames.length, slots: ready.slots, targetChunkMs: ready.targetChunkMs, askingSlot });
    if (sizes[0] === ready.tail.sizes[0]) return; // the head already fits: the rest is sized when asked for
    this.#apply(job, ready, sizes, 'fit');
  }

  /** What a re-plan of the job needs, or null when it has no tail to plan. */
  #ready(job: JobRuntime): ReadyPlan | null {
    const r = job.record;
    if (!isAdaptive(job) || r.canceled || r.failure || isTerminalJobState(job.state)) return null;
    // Only the job's last store page is re-planned, and it never grows past that page: a re-plan
    // then rewrites one page and the job document, and the loader trusts the page if a crash
    // parts them (store/load-jobs.ts). A long job's earlier chunks keep their first plan.
    const pageStart = Math.floor(Math.max(0, r.tasks.length - 1) / DEFAULT_TASK_PAGE_SIZE) * DEFAULT_TASK_PAGE_SIZE;
    const tail = replannableTail(r.tasks, pageStart);
    if (!tail) return null;
    const plan = this.#planState(job);
    const { frameMs, source } = this.#frameEstimate(job, plan);
    const slots = this.#slots(job, r.tasks[tail.start]!, plan, frameMs);
    const minutes = typeof r.settings.targetChunkMinutes === 'number' ? r.settings.targetChunkMinutes : DEFAULT_TARGET_CHUNK_MINUTES;
    return { tail, pageStart, slots, frameMs, source, targetChunkMs: minutes * 60_000 };
  }

  /** Replaces the tail by chunks of `sizes`; returns whether it changed. A fit is counted on the plan, not announced. */
  #apply(job: JobRuntime, ready: ReadyPlan, sizes: number[], kind: 'replan' | 'fit'): boolean {
    const r = job.record;
    const { tail, pageStart, frameMs, source, slots } = ready;
    const plan = this.#planState(job);
    plan.plannedFrameMs = source === 'measured' ? frameMs : plan.plannedFrameMs;
    if (sizes.length === tail.sizes.length && sizes.every((s, i) => s === tail.sizes[i])) return false;
    if (tail.start + sizes.length + (tail.video ? 1 : 0) > pageStart + DEFAULT_TASK_PAGE_SIZE) return false;
    const next = replacementTasks(r.tasks, tail, chunksOfSizes(tail.frames, sizes));
    this.deps.state.verbs.replan(job, tail.start, next);
    const frameTasks = r.tasks.filter((t) => t.spec.type === 'blender' && !isPreviewTask(t));
    r.settings.chunkSize = Math.max(1, ...frameTasks.map((t) => (t.spec.type === 'blender' ? t.spec.frames.length : 1)));
    const was = r.settings.chunkPlan as ChunkPlanRecord | undefined;
    const fitted = (was?.fitted ?? 0) + (kind === 'fit' ? 1 : 0);
    const record: ChunkPlanRecord = { chunks: frameTasks.length, frameMs: Math.round(frameMs), source, replans: (was?.replans ?? 0) + (kind === 'replan' ? 1 : 0), ...(fitted > 0 ? { fitted } : {}) };
    r.settings.chunkPlan = record;
    this.deps.state.jobTouched(job);
    if (kind === 'replan' && sizes.length !== tail.sizes.length) {
      const counted = slots.filter((s) => !s.expected).length;
      const expected = slots.length - counted;
      const on = expected > 0 ? `${slots.length} slot(s), ${expected} of them on agents still checking their tools` : `${slots.length} slot(s)`;
      this.deps.events.notice('info', `Job "${r.name}": re-planned ${tail.sizes.length} queued chunk(s) into ${sizes.length} from ${describeSource(source, frameMs)} on ${on}.`);
    }
    return true;
  }

  #planState(job: JobRuntime): JobPlanState {
    let plan = this.#jobs.get(job.id);
    if (!plan) {
      plan = { measures: new ChunkMeasures(), plannedFrameMs: null, speedsNoted: new Set() };
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

  /**
   * One entry per slot that may run the job: start-up, frame time, and what it still renders of
   * the job. An agent online that is still checking its Blender (a first start: `--version` and
   * the GPU probe take a few seconds) counts too, as an idle slot with the job's frame time
   * (`expected`): on a fresh farm the job is submitted while it checks, and a plan for the ready
   * agents alone would give them every frame while it then sits idle. If its check fails, the
   * agent's change re-plans the tail without it. A slot busy with another job's chunk is busy
   * for what that chunk has left, at that job's measured frame time on the agent.
   */
  #slots(job: JobRuntime, template: TaskRecord, plan: JobPlanState, frameMs: number): AgentSlot[] {
    const slots: AgentSlot[] = [];
    for (const agent of this.deps.state.agents.values()) {
      if (!agent.online || !agent.enabled) continue;
      const expected = mayRunOnceChecked(agent, job, template, this.deps.agentFailureLimit);
      if (!expected && !agentMayRunTask(agent, job, template, this.deps.agentFailureLimit)) continue;
      const startupMs = this.deps.memory?.startupMs(agent.agentId, blenderVersionFor(agent, template)) ?? DEFAULT_STARTUP_MS;
      const measured = plan.measures.agentFrameMs(agent.agentId);
      const factor = this.deps.memory?.agentSpeedFactor(agent.agentId) ?? null;
      const own = measured ?? frameMs * (factor ?? 1);
      const speedUnknown = measured === null && factor === null;
      const busy = [...agent.running.values()].map((t) => this.#leftMs(t, agent.agentId, t.jobId === job.id ? own : null)).sort((a, b) => a - b);
      for (let i = 0; i < Math.min(agent.slots, 256); i++) slots.push({ agentId: agent.agentId, expected, startupMs, frameMs: own, freeInMs: busy[i] ?? 0, ...(speedUnknown ? { speedUnknown } : {}) });
    }
    return slots;
  }

  /** What a running task has left to render (ms): its frames not done, at `frameMs` (else its job's measure on the agent, else its job's, else 0: unknown). */
  #leftMs(task: TaskRecord, agentId: string, frameMs: number | null): number {
    if (task.spec.type !== 'blender') return 0;
    const measures = this.#jobs.get(task.jobId)?.measures;
    const ms = frameMs ?? measures?.agentFrameMs(agentId) ?? measures?.frameMs() ?? 0;
    return Math.max(0, task.spec.frames.length * (1 - task.progress)) * ms;
  }
}

/** What a plan of a job's tail starts from (ChunkReplanner's #ready). */
interface ReadyPlan {
  tail: ReplannableTail;
  pageStart: number;
  slots: AgentSlot[];
  frameMs: number;
  source: PlanSource;
  targetChunkMs: number;
}

/** A planner's slot, with whose it is. */
interface AgentSlot extends PlanSlot {
  agentId: string;
  /** The agent is still checking its tool for the job's tasks: counted as capacity, not yet able to take one. */
  expected: boolean;
}

/** The agent is still checking its tool for the task's type, and would otherwise be allowed the job (its tags, its failures). */
function mayRunOnceChecked(agent: AgentRuntime, job: JobRuntime, task: TaskRecord, failureLimit: number): boolean {
  if (agent.capabilities.taskTypes.includes(task.spec.type) || !(agent.capabilities.checking ?? []).includes(task.spec.type)) return false;
  if ((job.agentFailures.get(agent.agentId) ?? 0) >= failureLimit) return false;
  return job.record.tags.every((tag) => agent.tags.includes(tag));
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
