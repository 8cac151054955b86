import type { Message, MessageOf } from '../../node-agent/protocol/index.js';
import type { AgentLink } from '../../electron/controller/agents/agent-link.js';
import { expectedOutputs } from '../../electron/controller/jobs/expected-outputs.js';
import type { JobRecord } from '../../electron/controller/model/job-model.js';
import type { PlanningMemory } from '../../electron/controller/jobs/chunk-plan/planning-memory.js';
import { Scheduler } from '../../electron/controller/scheduler/scheduler.js';

/**
 * The real scheduler (dispatcher, chunk re-planner, measures) driving agents simulated at its
 * own port (AgentLinkListener): each "agent" renders what it is assigned at a set speed on a
 * simulated clock (the caller mocks Date: `t.mock.timers.enable({ apis: ['Date'] })`) and
 * reports it as a real agent does (start-up, a progress report per frame, done with the
 * frames' names). For tests of how chunks are sized and handed out, where rendering is not
 * the point; what ends up collected is not (the outputs are never fetched).
 */

export interface SimulatedAgent {
  agentId: string;
  /** One frame's render time (ms). */
  frameMs: number;
  /** Blender's start-up per chunk (ms). */
  startupMs: number;
  slots?: number;
  /** Frame times vary by up to this share either way (a fixed pseudo-random sequence per agent), 0 by default. */
  jitter?: number;
  /** Still checking its Blender at the hello; confirmed (agent.capabilities) at this simulated time (ms). */
  readyAtMs?: number;
  /** The check at `readyAtMs` finds no working Blender. */
  checkFails?: boolean;
}

export interface SimulatedRun {
  /** Per agent: when its last chunk of the first job ended (ms after the start), and the sizes of that job's chunks it rendered, in order. */
  agents: Map<string, { endMs: number; chunks: number[] }>;
  /** The first job's latest end minus its earliest among agents that rendered any of it (ms). */
  spreadMs: number;
  /** The first job's frames as assigned, in hand-out order (each frame once if the plan is right). */
  frames: number[];
  /** The first job's task records and settings at the end. */
  tasks: JobRecord['tasks'];
  settings: JobRecord['settings'];
}

/** A job and when it is submitted (ms after the start; 0 by default). */
export interface SimulatedJob {
  record: JobRecord;
  atMs?: number;
}

interface Running { agent: SimulatedAgent; link: AgentLink; taskId: string; attempt: number; frames: number[]; startedAt: number; reported: number; nextAt: number; jobId: string }

const STEP_LIMIT = 100_000;

/**
 * Runs `jobs` to their last frame on `agents`; `now()` and `advanceTo()` are the mocked clock. Figures are of the first job.
 * `planningMemory` is what the farm remembers from earlier runs (a later run given the same one starts from what this one measured).
 */
export async function simulateRender(jobs: readonly SimulatedJob[], agents: readonly SimulatedAgent[], clock: { now(): number; advanceTo(ms: number): void }, o: { planningMemory?: PlanningMemory } = {}): Promise<SimulatedRun> {
  const scheduler = new Scheduler(
    { add: () => undefined, update: () => undefined },
    { jobChanged: () => undefined, taskChanged: () => undefined, agentChanged: () => undefined, taskLog: () => undefined, notice: () => undefined },
    { tempPathFor: async () => '/tmp/never', commit: async (_job, _task, file) => `/out/${file.name}`, discardIntermediates: async () => undefined },
    { planningMemory: o.planningMemory ?? null },
  );
  const start = clock.now();
  const sent = new Map<string, Message[]>();
  const links = new Map<string, AgentLink>();
  for (const a of agents) {
    const messages: Message[] = [];
    sent.set(a.agentId, messages);
    const link = { url: 'wss://127.0.0.1:9', agentId: a.agentId, send: (m: Message) => (messages.push(m), true), stop: async () => undefined } as unknown as AgentLink;
    links.set(a.agentId, link);
    scheduler.agentOnline(link, hello(a, a.readyAtMs !== undefined && a.readyAtMs > 0));
  }
  const first = jobs[0]!.record;
  const later = jobs.filter((j) => (j.atMs ?? 0) > 0).sort((a, b) => a.atMs! - b.atMs!);
  for (const j of jobs) if ((j.atMs ?? 0) <= 0) scheduler.addJob(j.record, { isNew: true });
  const result: SimulatedRun = { agents: new Map(agents.map((a) => [a.agentId, { endMs: 0, chunks: [] }])), spreadMs: 0, frames: [], tasks: [], settings: {} };
  const running: Running[] = [];
  const seeds = new Map(agents.map((a, i) => [a.agentId, 12345 + i * 7919]));
  const frameTime = (a: SimulatedAgent) => {
    if (!a.jitter) return a.frameMs;
    const seed = (seeds.get(a.agentId)! * 1103515245 + 12345) % 2147483648; // a fixed LCG: the same run every time
    seeds.set(a.agentId, seed);
    return Math.round(a.frameMs * (1 + a.jitter * (2 * (seed / 2147483648) - 1)));
  };
  const pendingReady = agents.filter((a) => a.readyAtMs !== undefined && a.readyAtMs > 0);
  const round = async () => {
    for (let i = 0; i < 3; i++) await new Promise((resolve) => setImmediate(resolve));
    for (const a of agents) {
      const messages = sent.get(a.agentId)!;
      for (const m of messages.splice(0)) {
        if (m.type !== 'task.assign' || m.spec.type !== 'blender') continue;
        running.push({ agent: a, link: links.get(a.agentId)!, taskId: m.taskId, attempt: m.attempt, frames: [...m.spec.frames], startedAt: clock.now(), reported: -1, nextAt: clock.now() + a.startupMs, jobId: m.jobId });
        if (m.jobId !== first.id) continue;
        result.agents.get(a.agentId)!.chunks.push(m.spec.frames.length);
        result.frames.push(...m.spec.frames);
      }
    }
  };
  await round();
  try {
    for (let step = 0; step < STEP_LIMIT && (running.length > 0 || pendingReady.length > 0 || later.length > 0); step++) {
      // The next thing any agent does: its start-up ends (reported with no frame yet), a frame ends, or its tool check does.
      const nextOf = (r: Running) => r.nextAt;
      let next: Running | null = null;
      for (const r of running) if (!next || nextOf(r) < nextOf(next)) next = r;
      const submit = later[0];
      if (submit && (!next || start + submit.atMs! <= nextOf(next))) {
        clock.advanceTo(start + submit.atMs!);
        later.shift();
        scheduler.addJob(submit.record, { isNew: true });
        await round();
        continue;
      }
      const ready = pendingReady.sort((a, b) => a.readyAtMs! - b.readyAtMs!)[0];
      if (ready && (!next || start + ready.readyAtMs! <= nextOf(next))) {
        clock.advanceTo(start + ready.readyAtMs!);
        pendingReady.shift();
        const { checking: _, ...confirmed } = hello(ready, false).capabilities;
        scheduler.agentMessage(links.get(ready.agentId)!, { type: 'agent.capabilities', capabilities: ready.checkFails ? { ...confirmed, blender: null, taskTypes: [] } : confirmed });
        await round();
        continue;
      }
      if (!next) break;
      clock.advanceTo(nextOf(next));
      const r = next;
      const base = { taskId: r.taskId, attempt: r.attempt };
      if (r.reported < 0) {
        r.reported = 0;
        scheduler.agentMessage(r.link, { type: 'task.progress', ...base, fraction: 0, framesDone: 0, startupMs: r.agent.startupMs });
        r.reported = 1; // the next event is the first frame's end
        r.nextAt += frameTime(r.agent);
        continue;
      }
      const done = r.reported;
      if (done < r.frames.length) {
        scheduler.agentMessage(r.link, { type: 'task.progress', ...base, fraction: done / r.frames.length, framesDone: done });
        r.reported++;
        r.nextAt += frameTime(r.agent);
        continue;
      }
      scheduler.agentMessage(r.link, { type: 'task.progress', ...base, fraction: 1, framesDone: done });
      const task = scheduler.task(r.taskId)!;
      scheduler.agentMessage(r.link, { type: 'task.done', ...base, outputs: [...expectedOutputs(task)].map((name) => ({ name, sha256: 'a'.repeat(64), size: 1 })), elapsedMs: clock.now() - r.startedAt });
      running.splice(running.indexOf(r), 1);
      if (r.jobId === first.id) result.agents.get(r.agent.agentId)!.endMs = clock.now() - start;
      await round();
    }
    result.tasks = scheduler.job(first.id)?.record.tasks ?? [];
    result.settings = scheduler.job(first.id)?.record.settings ?? {};
  } finally {
    for (const j of scheduler.allJobs()) await scheduler.jobControls.deleteJob(j.id);
    scheduler.stop();
  }
  const ends = [...result.agents.values()].filter((a) => a.chunks.length > 0).map((a) => a.endMs);
  result.spreadMs = ends.length > 0 ? Math.max(...ends) - Math.min(...ends) : 0;
  return result;
}

function hello(a: SimulatedAgent, checking: boolean): MessageOf<'agent.hello'> {
  return {
    type: 'agent.hello', agentId: a.agentId, name: a.agentId, hostname: a.agentId, slots: a.slots ?? 1, tags: [], running: [], held: [],
    capabilities: {
      blender: checking ? null : { path: '/usr/bin/blender', version: '3.4.1' },
      ...(checking ? { checking: ['blender'] } : {}),
      ffmpeg: null, cores: 2, memoryBytes: 1e9, platform: 'linux', taskTypes: checking ? [] : ['blender'],
    },
  };
}
