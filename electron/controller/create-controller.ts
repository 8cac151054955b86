import { join } from 'node:path';
import type { LocalHandoff } from '../../node-agent/protocol/index.js';
import { AgentPool } from './agents/agent-pool.js';
import { agentView, type AgentView } from './agents/agent-runtime.js';
import { hintsWithin, KnownAgentsMemory, readKnownAgentsFile } from './agents/known-agents.js';
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
  // Read while the store opens: the remembered agents are connected to as soon as the pool exists.
  const remembering = o.discovery !== false && (o.rememberAgents ?? o.persist !== false);
  const remembered = remembering ? readKnownAgentsFile(o.home) : Promise.resolve(null);
  const logs = new TaskLogs(o.persist === false ? null : join(o.home, 'logs'));
  // A full data disk pauses the jobs (disk-full-pauses.ts) instead of a notice per failed write.
  let dataDiskFull = (): void => undefined;
  const store = o.persist === false ? null : await JobStore.open(o.home, { onError: (e) => events.notice('error', `Saving the job store failed: ${e.message}`), onDiskFull: () => dataDiskFull() });
  const storePort = store ?? { add() {}, update() {} };
  // Agents' Blender start-ups and scenes' frame times, for sizing chunks (jobs/chunk-plan/).
  const planningMemory = await PlanningMemory.open(o.persist === false ? null : o.home);
  const scheduler = new Scheduler(storePort, events, outputFolder, { localAgent: o.localAgent ?? null, planningMemory });
  dataDiskFull = () => scheduler.dataDiskFull(o.home);
  events.on('log', ({ taskId, attempt, lines }) => logs.append(taskId, attempt, lines));

  // The links call the scheduler directly; what they report to the user becomes notices.
  const memory = remembering ? new KnownAgentsMemory(o.home, (e) => events.notice('warn', `Remembering the farm's agents in ${o.home} failed (${e.message}); the next start finds them over mDNS instead.`)) : null;
  const pool = new AgentPool({
    farmKey: o.farmKey,
    controllerId: o.controllerId,
    listener: scheduler,
    notice: (level, line) => events.notice(level, line),
    // The embedded agent listens on a new port every run: nothing to remember.
    ...(memory ? { seen: (agentId: string, url: string) => agentId !== o.localAgent?.agentId && memory.seen(agentId, url) } : {}),
  });

  if (o.resume !== false) for (const job of store?.jobs() ?? []) scheduler.addJob(job, { isNew: false });
  for (const url of o.agentUrls ?? []) pool.add(url);
  const memoryAtStart = await remembered;
  const hints = o.discovery !== false && memoryAtStart ? hintsWithin(memoryAtStart, o.discovery.interfaceAddress) : [];
  for (const known of hints) pool.rememberedAgent(known.agentId, known.url);

  // mDNS code loads only when discovery is on: a render pinned to given agents starts faster.
  const browser = o.discovery === false ? null : (await import('./discovery/mdns-browser.js')).startBrowser({
    interfaceAddress: o.discovery.interfaceAddress,
    onUp: (agent) => pool.discoveredAgent(agent.agentId, agent.address, agent.port),
  });

  const browsingSince = performance.now();
  return {
    events,
    scheduler,
    pool,
    rememberedAgents: memoryAtStart && browser ? hints.length : null,
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

