import { agentView, type AgentView } from '../agents/agent-runtime.js';
import { normalizeAgentUrl } from '../agents/agent-pool.js';
import type { AgentSettings } from '../agents/agent-settings.js';
import type { Controller } from '../create-controller.js';
import type { JobSummary, TaskRecord } from '../model/job-model.js';
import type { JobRuntime } from '../scheduler/job-runtime.js';
import { isTerminalJobState } from '../scheduler/task-state.js';
import { frameTimesOf } from '../scheduler/frame-times.js';
import { submitJob } from '../jobs/submit-job.js';
import { ApiError, type ApiEvent, type FarmApi, type JobDetail, type Page, type TaskView } from './contract.js';
import { farmInfo } from './farm-info.js';
import { probeFile } from './probe-file.js';
import { createFrameCommands } from './frame-commands.js';
import { inputErrorsAsBadInput } from './input-errors-as-bad-input.js';
import { historyView, lastAgentOf } from '../scheduler/attempt-history.js';
import { ableCapacity } from '../agents/able-capacity.js';

/**
 * The controller service behind the API contract: one function per command, each a thin
 * verb over the scheduler, the agent pool and the settings. Transports (WebSocket, Electron
 * IPC) validate parameters against the contract and call these; nothing else changes farm
 * state. Errors are ApiErrors with one sentence for the user; InputErrors become bad-input
 * ones in one place (input-errors-as-bad-input.ts).
 */

export interface FarmServiceOptions {
  /** Where default output folders go (`<outputRoot>/<job name>`). */
  outputRoot: string;
  /** The controller's data folder (scratch space for reading scenes). */
  home: string;
  /** Agents added by address and per-agent choices, kept across restarts. */
  agentSettings: AgentSettings;
  blenderPath?: string;
  ffprobePath?: string;
  /** The local agent's ffmpeg, reported by farm.info. */
  ffmpegPath?: string;
}

export interface FarmService {
  api: FarmApi;
  /** Every state change as an API event (unbatched: transports batch them per client). */
  onEvent(listener: (event: ApiEvent) => void): () => void;
}

export function createFarmService(controller: Controller, o: FarmServiceOptions): FarmService {
  const { scheduler, pool, events } = controller;
  for (const [agentId, overrides] of o.agentSettings.overrides()) scheduler.agentOverrides.set(agentId, overrides);
  for (const url of o.agentSettings.manualUrls) pool.add(url);

  const job = (jobId: string): JobRuntime => {
    const found = scheduler.job(jobId);
    if (!found) throw new ApiError('not-found', `There is no job ${jobId}; list jobs with \`farmhand jobs\`.`);
    return found;
  };
  const agent = (agentId: string) => {
    const found = scheduler.agents.get(agentId);
    if (!found) throw new ApiError('not-found', `There is no agent ${agentId}; list agents with \`farmhand agents\`.`);
    return found;
  };
  // Preview first fills each slot once, so an agent with 2 slots counts twice (able-capacity.ts).
  const ableAgents = () => ableCapacity(controller.agents().filter((a) => a.online && a.enabled));
  const frames = createFrameCommands({ home: o.home, ffmpegPath: o.ffmpegPath });
  void frames.keepOnly(new Set(scheduler.allJobs().map((j) => j.record.id))).catch(() => undefined);

  const api: FarmApi = {
    async 'jobs.submit'(p) {
      const record = await submitJob(p, { outputRoot: o.outputRoot, home: o.home, blenderPath: o.blenderPath, ffprobePath: o.ffprobePath, agentCount: ableAgents() });
      // A disk that cannot hold the job (NoRoomError) is the user's to fix, like a bad scene: an InputError.
      return controller.admit(record);
    },
    async 'jobs.list'(p) {
      const states = p.state ? new Set(p.state) : null;
      const all = scheduler.allJobs().map((j) => j.summary()).filter((s) => !states || states.has(s.state));
      all.sort((a, b) => a.createdAt - b.createdAt || (a.id < b.id ? -1 : 1));
      return page(all, p.offset, p.limit);
    },
    async 'jobs.get'(p) {
      return jobDetail(job(p.jobId));
    },
    async 'jobs.pause'(p) {
      job(p.jobId);
      return scheduler.jobControls.pauseJob(p.jobId)!.summary();
    },
    async 'jobs.resume'(p) {
      job(p.jobId);
      return scheduler.jobControls.resumeJob(p.jobId)!.summary();
    },
    async 'jobs.cancel'(p) {
      const found = job(p.jobId);
      scheduler.jobControls.cancelJob(p.jobId);
      return found.summary();
    },
    async 'jobs.delete'(p) {
      job(p.jobId);
      await scheduler.jobControls.deleteJob(p.jobId);
      await controller.logs.removeJob(p.jobId);
      await frames.removeJob(p.jobId).catch(() => undefined);
      return { jobId: p.jobId, deleted: true };
    },
    async 'jobs.retry'(p) {
      job(p.jobId);
      const { job: retried, requeued } = scheduler.jobControls.retryJob(p.jobId)!;
      return { ...retried.summary(), requeued };
    },
    async 'jobs.setPriority'(p) {
      job(p.jobId);
      return scheduler.jobControls.setPriority(p.jobId, p.priority)!.summary();
    },
    async 'tasks.list'(p) {
      const states = p.state ? new Set<string>(p.state) : null;
      const tasks = job(p.jobId).record.tasks.filter((t) => !states || states.has(t.state));
      const { items, total, offset } = page(tasks, p.offset, p.limit);
      return { items: items.map(taskView), total, offset };
    },
    async 'tasks.log'(p) {
      const task = scheduler.task(p.taskId);
      if (!task) throw new ApiError('not-found', `There is no task ${p.taskId}; list a job's tasks with \`farmhand tasks JOB_ID\`.`);
      if (task.attempt === 0) return { taskId: task.id, attempt: 0, attempts: 0, lines: [], firstLine: 0, totalLines: 0 };
      const attempt = p.attempt ?? task.attempt;
      if (attempt > task.attempt) throw new ApiError('not-found', `Task ${task.id} has had ${task.attempt} attempt(s); ask for attempt 1 to ${task.attempt}.`);
      return { taskId: task.id, attempt, attempts: task.attempt, ...await controller.logs.readFrom(task.id, attempt, p.fromLine), history: historyView(task) };
    },
    async 'agents.list'() {
      return agentList(controller);
    },
    async 'agents.add'(p) {
      let url: string;
      try {
        url = normalizeAgentUrl(p.url);
      } catch (error) {
        throw new ApiError('bad-input', (error as Error).message);
      }
      pool.add(url);
      o.agentSettings.addManual(url);
      return { url };
    },
    async 'agents.remove'(p) {
      const found = scheduler.agents.get(p.agentId);
      const url = found?.url ?? agentList(controller).find((a) => a.agentId === p.agentId)?.url;
      if (!url) throw new ApiError('not-found', `There is no agent ${p.agentId}; list agents with \`farmhand agents\`.`);
      pool.remove(url);
      o.agentSettings.removeManual(url);
      o.agentSettings.setOverride(p.agentId, null);
      scheduler.agentControls.forgetAgent(p.agentId);
      await controller.forgetKnownAgent(p.agentId).catch(() => undefined); // only a start-up shortcut: removing the agent stands
      return { agentId: p.agentId, removed: true };
    },
    async 'agents.setEnabled'(p) {
      agent(p.agentId);
      const changed = scheduler.agentControls.setAgentEnabled(p.agentId, p.enabled)!;
      o.agentSettings.setOverride(p.agentId, scheduler.agentOverrides.get(p.agentId) ?? null);
      return agentView(changed);
    },
    async 'agents.setTags'(p) {
      agent(p.agentId);
      const changed = scheduler.agentControls.setAgentTags(p.agentId, p.tags)!;
      o.agentSettings.setOverride(p.agentId, scheduler.agentOverrides.get(p.agentId) ?? null);
      return agentView(changed);
    },
    async 'agents.drain'(p) {
      agent(p.agentId);
      const changed = scheduler.agentControls.setAgentEnabled(p.agentId, false)!;
      o.agentSettings.setOverride(p.agentId, scheduler.agentOverrides.get(p.agentId) ?? null);
      return agentView(changed);
    },
    async 'agents.stopNow'(p) {
      agent(p.agentId);
      const { agent: changed, requeued } = scheduler.agentControls.stopAgentNow(p.agentId)!;
      o.agentSettings.setOverride(p.agentId, scheduler.agentOverrides.get(p.agentId) ?? null);
      return { ...agentView(changed), requeued };
    },
    async 'farm.info'() {
      return farmInfo({ farmKey: controller.farmKey, discovery: controller.discovery, outputRoot: o.outputRoot, home: o.home, blenderPath: o.blenderPath, ffmpegPath: o.ffmpegPath, ffprobePath: o.ffprobePath });
    },
    async 'files.probe'(p) {
      return probeFile(p.path, { home: o.home, blenderPath: o.blenderPath, ffprobePath: o.ffprobePath });
    },
    async 'farm.status'() {
      const jobs = scheduler.allJobs();
      const unfinished = jobs.filter((j) => !isTerminalJobState(j.state));
      const agents = controller.agents();
      const online = agents.filter((a) => a.online);
      const tasks = unfinished.reduce((n, j) => n + j.record.tasks.length, 0);
      return {
        jobs: {
          total: jobs.length,
          running: jobs.filter((j) => j.state === 'running').length,
          queued: jobs.filter((j) => j.state === 'queued' || j.state === 'paused').length,
          failed: jobs.filter((j) => j.state === 'failed').length,
        },
        agents: { total: agents.length, online: online.length, busySlots: online.reduce((n, a) => n + a.busySlots, 0), slots: online.reduce((n, a) => n + a.slots, 0) },
        progress: tasks === 0 ? null : unfinished.reduce((n, j) => n + j.progress() * j.record.tasks.length, 0) / tasks,
        queuePaused: scheduler.jobControls.queuePaused,
      };
    },
    async 'farm.pauseQueue'() {
      scheduler.jobControls.holdQueue();
      return { queuePaused: true };
    },
    async 'farm.resumeQueue'() {
      scheduler.jobControls.releaseQueue();
      return { queuePaused: false };
    },
    async 'frames.list'(p) {
      return frames.list(job(p.jobId).record, p);
    },
    async 'frames.thumbnails'(p) {
      return frames.thumbnails(job(p.jobId).record, p);
    },
    async 'frames.image'(p) {
      return frames.image(job(p.jobId).record, p);
    },
  };

  return {
    api: inputErrorsAsBadInput(api),
    onEvent(listener) {
      const onJob = (summary: JobSummary) => listener({ kind: 'job', job: summary });
      const onRemoved = (jobId: string) => listener({ kind: 'job.deleted', jobId });
      const onTask = (task: TaskRecord) => listener({ kind: 'task', task: taskView(task) });
      const onAgent = (agentChanged: AgentView) => listener({ kind: 'agent', agent: agentChanged });
      const onNotice = ({ level, text }: { level: 'info' | 'warn' | 'error'; text: string }) => listener({ kind: 'notice', level, text });
      events.on('job', onJob);
      events.on('jobRemoved', onRemoved);
      events.on('task', onTask);
      events.on('agent', onAgent);
      events.on('notice', onNotice);
      return () => {
        events.off('job', onJob);
        events.off('jobRemoved', onRemoved);
        events.off('task', onTask);
        events.off('agent', onAgent);
        events.off('notice', onNotice);
      };
    },
  };
}

function page<T>(all: T[], offset: number, limit: number): Page<T> {
  return { items: all.slice(offset, offset + limit), total: all.length, offset };
}

export function taskView(t: TaskRecord): TaskView {
  return {
    id: t.id,
    jobId: t.jobId,
    index: t.index,
    label: t.label,
    type: t.spec.type,
    state: t.state,
    attempt: t.attempt,
    failures: t.failures,
    agentId: t.agentId,
    progress: t.progress,
    outputs: t.collected,
    error: t.error,
    ...(t.preview ? { preview: true as const } : {}),
    ...(t.warnings?.length ? { warnings: t.warnings } : {}),
    startedAt: t.startedAt,
    endedAt: t.endedAt,
    ...withFrameTimes(t),
    ...(t.outputs.length ? { outputBytes: t.outputs.reduce((n, o) => n + o.size, 0) } : {}),
    ...(t.history?.length ? { lastAgent: lastAgentOf(t)! } : {}),
  };
}

function withFrameTimes(t: TaskRecord): { frameTimesMs?: number[] } {
  const times = frameTimesOf(t);
  return times ? { frameTimesMs: times } : {};
}

function jobDetail(job: JobRuntime): JobDetail {
  const r = job.record;
  return { ...job.summary(), paused: r.paused, tags: r.tags, outputDir: r.outputDir, endedAt: r.endedAt, progress: job.progress(), settings: r.settings };
}

/** Connected agents, plus addresses given by hand that have not answered yet (shown offline). */
function agentList(controller: Controller): AgentView[] {
  const known = controller.agents();
  const urls = new Set(known.map((a) => a.url));
  const waiting = controller.pool.all().filter((link) => !urls.has(link.url)).map((link): AgentView => ({
    agentId: link.agentId ?? link.url.replace(/^wss?:\/\//, ''),
    name: link.url,
    hostname: '',
    url: link.url,
    online: false,
    enabled: true,
    slots: 0,
    busySlots: 0,
    tags: [],
    taskTypes: [],
    checking: [],
    blender: null,
    ffmpeg: null,
    cores: 0,
  }));
  return [...known, ...waiting];
}
