import { join } from 'node:path';
import type { LocalHandoff } from '../../node-agent/protocol/index.js';
import { AgentPool } from './agents/agent-pool.js';
import { agentView, type AgentView } from './agents/agent-runtime.js';
import { HeldAgentEvents } from './agents/held-agent-events.js';
import { hintsWithin, KnownAgentsMemory, readKnownAgentsFileNow, type KnownAgent } from './agents/known-agents.js';
import { ControllerEvents } from './controller-events.js';
import { isDiskFullError } from './disk/disk-space.js';
import { NoRoomError } from './disk/no-room-error.js';
import { ensureRoomFor } from './disk/room-for-job.js';
import { PlanningMemory } from './jobs/chunk-plan/planning-memory.js';
import type { JobRecord, JobSummary } from './model/job-model.js';
import { outputFolder } from './outputs/output-folder.js';
import { Scheduler } from './scheduler/scheduler.js';
import { isTerminalJobState } from './scheduler/task-state.js';
import { JobStore } from './store/job-store.js';
import { TaskLogs } from './task-logs.js';

/**
 * The controller's composition root (Flamenco's main.go): builds the store, scheduler,
 * agent pool and discovery and wires them together. The Electron shell, the headless CLI
 * and the tests all start the farm through this one function.
 */

export interface ControllerOptions {
  home: string;
  farmKey: string;
  controllerId: string;
  /** false: no mDNS browsing (agents only by address). */
  discovery: false | { interfaceAddress?: string };
  agentUrls?: string[];
  /** Keep jobs in the lowdb store under `home` (default true). */
  persist?: boolean;
  /** Give unfinished stored jobs back to the scheduler (the service does; a one-shot render does not). */
  resume?: boolean;
  /** The agent embedded in this process (also in agentUrls): files pass to and from it on disk. */
  localAgent?: LocalHandoff;
  /**
   * Remember the agents reached (known-agents.json in `home`) and connect to those remembered
   * at once on start, while mDNS browses. Part of discovery: ignored when discovery is off.
   * Default: on when the controller persists (persist !== false).
   */
  rememberAgents?: boolean;
}

export interface Controller {
  events: ControllerEvents;
  scheduler: Scheduler;
  pool: AgentPool;
  logs: TaskLogs;
  /** The farm's shared secret, shown to the user as the pairing code for agents. */
  farmKey: string;
  /** Whether agents on the network are found by mDNS (false: only those added by address). */
  discovery: boolean;
  /**
   * How many agents remembered from earlier runs were dialled at start (known-agents.ts); 0 when
   * the memory says the farm is this machine alone; null when there is no memory yet or
   * discovery is off (then mDNS needs its time to find the farm).
   */
  rememberedAgents: number | null;
  /** Drops an agent from the remembered ones (the user removed it), so the next start does not dial it. */
  forgetKnownAgent(agentId: string): Promise<void>;
  storeProblems: string[];
  submit(job: JobRecord): JobSummary;
  /**
   * Submits a job the way users do (the API, `farmhand render`, `farmhand transcode`): refused
   * with a NoRoomError when its output disk or the data disk cannot hold it (room-for-job.ts),
   * and taken only once it is saved in the store, so a job the user was told about is never
   * lost, even to a full disk and a kill.
   */
  admit(job: JobRecord): Promise<JobSummary>;
  agents(): AgentView[];
  /** Resolves with the job's summary once it succeeded, failed or was canceled. */
  waitForJob(jobId: string): Promise<JobSummary>;
  close(): Promise<void>;
}

/** Browsing this long finds what answers on a LAN (a requery at 1 s covers a lost packet): a memory may then say "no agents". */
const SEARCHED_AFTER_MS = 1500;

export async function createController(o: ControllerOptions): Promise<Controller> {
  const events = new ControllerEvents();
  // Read first (synchronously, a small file): the remembered agents are dialled before the store and a scene's read fill the event loop.
  const remembering = o.discovery !== false && (o.rememberAgents ?? o.persist !== false);
  const remembered = remembering ? readKnownAgentsFileNow(o.home) : null;
  const logs = new TaskLogs(o.persist === false ? null : join(o.home, 'logs'));
  // A full data disk pauses the jobs (disk-full-pauses.ts) instead of a notice per failed write.
  let dataDiskFull = (): void => undefined;
  // Every stored job is read here; the agents are dialled meanwhile (below), and meet the scheduler once it holds them.
  const opening = Promise.all([
    o.persist === false ? null : JobStore.open(o.home, { onError: (e) => events.notice('error', `Saving the job store failed: ${e.message}`), onDiskFull: () => dataDiskFull() }),
    // Agents' Blender start-ups and scenes' frame times, for sizing chunks (jobs/chunk-plan/).
    PlanningMemory.open(o.persist === false ? null : o.home),
  ]);
  opening.catch(() => undefined); // awaited below, after the dial

  // The links report to the scheduler; until it exists (the store still loading) their reports are held (held-agent-events.ts).
  const agentEvents = new HeldAgentEvents();
  const memory = remembering ? new KnownAgentsMemory(o.home, (e) => events.notice('warn', `Remembering the farm's agents in ${o.home} failed (${e.message}); the next start finds them over mDNS instead.`)) : null;
  const pool = new AgentPool({
    farmKey: o.farmKey,
    controllerId: o.controllerId,
    listener: agentEvents,
    notice: (level, line) => events.notice(level, line),
    // The embedded agent listens on a new port every run: nothing to remember.
    ...(memory ? { seen: (agentId: string, url: string) => agentId !== o.localAgent?.agentId && memory.seen(agentId, url) } : {}),
  });
  let browser: { stop(): Promise<void> } | null = null;
  let hints: KnownAgent[] = [];
  let store: JobStore | null;
  let planningMemory: PlanningMemory;
  try {
    for (const url of o.agentUrls ?? []) pool.add(url);
    hints = o.discovery !== false && remembered ? hintsWithin(remembered, o.discovery.interfaceAddress) : [];
    for (const known of hints) pool.rememberedAgent(known.agentId, known.url);

    // mDNS code loads only when discovery is on: a render pinned to given agents starts faster.
    browser = o.discovery === false ? null : (await import('./discovery/mdns-browser.js')).startBrowser({
      interfaceAddress: o.discovery.interfaceAddress,
      onUp: (agent) => pool.discoveredAgent(agent.agentId, agent.address, agent.port),
    });
    [store, planningMemory] = await opening;
  } catch (error) {
    // No controller comes of it (an unreadable store): the links and the browser it started go too.
    await Promise.all([pool.stop(), browser?.stop()]).catch(() => undefined);
    throw error;
  }
  const storePort = store ?? { add() {}, update() {} };
  const scheduler = new Scheduler(storePort, events, outputFolder, { localAgent: o.localAgent ?? null, planningMemory });
  dataDiskFull = () => scheduler.dataDiskFull(o.home);
  events.on('log', ({ taskId, attempt, lines }) => logs.append(taskId, attempt, lines));
  // The stored jobs go back first, then the agents meet the scheduler: what an agent reports about a stored job finds it.
  if (o.resume !== false) for (const job of store?.jobs() ?? []) scheduler.addJob(job, { isNew: false });
  agentEvents.deliverTo(scheduler);

  const browsingSince = performance.now();
  return {
    events,
    scheduler,
    pool,
    rememberedAgents: remembered && browser ? hints.length : null,
    async forgetKnownAgent(agentId) {
      await memory?.forget(agentId);
    },
    logs,
    farmKey: o.farmKey,
    discovery: browser !== null,
    storeProblems: store?.problems ?? [],
    submit(job) {
      return scheduler.addJob(job, { isNew: true }).summary();
    },
    async admit(job) {
      await ensureRoomFor(job, { dataDir: store ? o.home : null, earlier: scheduler.allJobs().map((j) => j.record) });
      const summary = scheduler.addJob(job, { isNew: true }).summary();
      try {
        await store?.whenSaved(job.id);
      } catch (error) {
        await scheduler.jobControls.deleteJob(job.id).catch(() => undefined);
        if (isDiskFullError(error)) throw new NoRoomError(`The data disk ${o.home} is full, so the job could not be saved and was not taken; free some space there (or set FARMHAND_HOME to a folder on another disk).`);
        throw error;
      }
      return summary;
    },
    agents() {
      return [...scheduler.agents.values()].map(agentView);
    },
    waitForJob(jobId) {
      return new Promise((resolve, reject) => {
        const job = scheduler.job(jobId);
        if (!job) return reject(new Error(`No job ${jobId}.`));
        if (isTerminalJobState(job.state)) return resolve(job.summary());
        const onJob = (summary: JobSummary) => {
          if (summary.id !== jobId || !isTerminalJobState(summary.state)) return;
          events.off('job', onJob);
          resolve(summary);
        };
        events.on('job', onJob);
      });
    },
    async close() {
      scheduler.stop();
      await browser?.stop();
      // Successes reach the disk first, so their output.acks go out before the links close.
      await store?.flush().catch(() => undefined);
      await new Promise((resolve) => setImmediate(resolve));
      await pool.stop();
      if (performance.now() - browsingSince >= SEARCHED_AFTER_MS) await memory?.searched();
      else await memory?.flush();
      await Promise.all([store?.close(), logs.flush(), planningMemory.flush()]);
    },
  };
}

