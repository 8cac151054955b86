import { join } from 'node:path';
import type { Controller } from '../electron/controller/create-controller.js';
import { compileNoopJob } from '../electron/controller/jobs/noop/noop-job.js';
import type { TaskRecord } from '../electron/controller/model/job-model.js';
import { encodeMessage, generateFarmKey } from '../node-agent/protocol/index.js';
import { spawnAgent, startBenchController, startInProcessAgent, waitOnline } from './lib/farm.js';
import { cliCommand, freePort, ROOT, startChild, waitForPort } from './lib/processes.js';
import { row, round, type Row } from './lib/row.js';
import { childEnv, scratchDir, withTimeout } from './lib/scratch.js';
import { summary } from './lib/stats.js';
import { startEchoServer } from './lib/ws-echo-server.js';
import { measureRoundTrips } from './lib/ws-round-trip.js';

/** What this benchmark does, for BENCHMARKS.md. */
export const about =
  'One agent with 1 slot runs 2,000 no-op tasks (durationMs 0) of one job, after a 200-task warm-up; controller store on. Per task: controller `assigned` event (emitted as it sends `task.assign`) → `succeeded` event, and the gap from one task\'s `succeeded` to the next one\'s `assigned`, with performance.now(). The agent\'s own share comes from the `elapsedMs` of each `task.done`. Baseline in the same run: sequential raw `ws` request/response round trips on loopback with the same payload sizes (task.assign out, task.done back) to an echo server placed like the agent. Headline: the agent as its own process (`farmhand-agent --allow-noop --no-mdns --host 127.0.0.1`); also both in one process.';

/**
 * Dispatch overhead per task: one agent with one slot, 2,000 no-op tasks (durationMs 0) in
 * one job. Per task: from the controller's `assigned` (emitted as it sends `task.assign`) to
 * its `succeeded`; and the gap from one task's `succeeded` to the next one's `assigned`.
 * Baseline in the same run: a raw `ws` request/response round trip on loopback with the same
 * payload sizes (task.assign out, task.done back), against a server in the same place as the
 * agent (its own process for the headline, this process for the in-process figures).
 */

export const TASKS = 2000;
const WARMUP_TASKS = 200;
const JOB_TIMEOUT_MS = 60_000;

interface DispatchRun {
  latency: number[];
  gaps: number[];
  /** The agent's own time per task (`elapsedMs` of its task.done: received → reported). */
  agentMs: number[];
  wallMs: number;
}

/** Collects the `elapsedMs` each task.done carries, by wrapping this controller's own message entry point. */
function watchAgentTime(controller: Controller): { samples: number[]; stop(): void } {
  const scheduler = controller.scheduler;
  const original = scheduler.agentMessage;
  const samples: number[] = [];
  scheduler.agentMessage = function (this: typeof scheduler, link, message) {
    if (message.type === 'task.done') samples.push(message.elapsedMs);
    return original.call(this, link, message);
  };
  return { samples, stop: () => void (scheduler.agentMessage = original) };
}

/** Runs a warm-up job and then the measured job on an online controller with one 1-slot agent. */
async function measureDispatch(controller: Controller, outputDir: string): Promise<DispatchRun> {
  const runJob = async (count: number) => {
    const job = compileNoopJob({ count, outputDir, name: `dispatch ${count}` });
    const assignedAt = new Map<string, number>();
    const latency: number[] = [];
    const gaps: number[] = [];
    let lastSucceededAt: number | null = null;
    const onTask = (task: TaskRecord) => {
      if (task.jobId !== job.id) return;
      const now = performance.now();
      if (task.state === 'assigned') {
        assignedAt.set(task.id, now);
        if (lastSucceededAt !== null) gaps.push(now - lastSucceededAt);
      } else if (task.state === 'succeeded') {
        const at = assignedAt.get(task.id);
        if (at !== undefined) latency.push(now - at);
        lastSucceededAt = now;
      }
    };
    controller.events.on('task', onTask);
    const agentTime = watchAgentTime(controller);
    const started = performance.now();
    try {
      controller.submit(job);
      const result = await withTimeout(controller.waitForJob(job.id), JOB_TIMEOUT_MS, `the ${count}-task dispatch job`);
      if (result.state !== 'succeeded' || result.succeededCount !== count) throw new Error(`the dispatch job ended ${result.state} with ${result.succeededCount}/${count} tasks`);
    } finally {
      controller.events.off('task', onTask);
      agentTime.stop();
    }
    return { latency, gaps, agentMs: agentTime.samples, wallMs: performance.now() - started };
  };
  await runJob(WARMUP_TASKS);
  return runJob(TASKS);
}

/** Message sizes of the real exchange, so the raw baseline moves the same bytes. */
function payloads(): { request: string; replyBytes: number } {
  const jobId = 'jm0abcdefg123456';
  const taskId = `${jobId}.1234`;
  const request = encodeMessage({ type: 'task.assign', taskId, attempt: 1, jobId, inputs: [], spec: { type: 'noop' }, timeoutMs: 600_000 });
  const reply = encodeMessage({ type: 'task.done', taskId, attempt: 1, outputs: [], elapsedMs: 1.234567890123 });
  return { request, replyBytes: Buffer.byteLength(reply) };
}

export async function run(): Promise<Row[]> {
  const scratch = await scratchDir('dispatch');
  const farmKey = generateFarmKey();
  const { request, replyBytes } = payloads();
  const rows: Row[] = [];
  const cleanups: (() => Promise<unknown>)[] = [];
  try {
    // ── headline: the agent in its own process ─────────────────────────────
    const agentProcess = await spawnAgent({ farmKey, dataDir: join(scratch.dir, 'agent-proc'), home: scratch.home, slots: 1 });
    cleanups.push(() => agentProcess.stop());
    const controller = await startBenchController({ home: join(scratch.dir, 'ctl-proc'), farmKey, agentUrls: [agentProcess.url], persist: true });
    cleanups.push(() => controller.close());
    await waitOnline(controller, 1);
    const separate = await measureDispatch(controller, join(scratch.dir, 'out-proc'));
    await controller.close();
    await agentProcess.stop();

    // Baseline: raw ws round trips to an echo server in its own process.
    const echoPort = await freePort();
    const echo = startChild(process.execPath, ['--import', 'tsx', join(ROOT, 'bench/lib/ws-echo-server.ts'), String(echoPort), String(replyBytes)], { cwd: ROOT, env: childEnv(scratch.home) });
    cleanups.push(() => echo.stop());
    await waitForPort(echoPort, echo, 20_000);
    const rawSeparate = await measureRoundTrips(`ws://127.0.0.1:${echoPort}`, request, TASKS, WARMUP_TASKS, 30_000);
    await echo.stop();

    // ── for comparison: agent and controller sharing this process's event loop ──
    const agent = await startInProcessAgent({ farmKey, dataDir: join(scratch.dir, 'agent-in'), slots: 1 });
    cleanups.push(() => agent.close());
    const controllerIn = await startBenchController({ home: join(scratch.dir, 'ctl-in'), farmKey, agentUrls: [agent.url], persist: true });
    cleanups.push(() => controllerIn.close());
    await waitOnline(controllerIn, 1);
    const inProcess = await measureDispatch(controllerIn, join(scratch.dir, 'out-in'));
    await controllerIn.close();
    await agent.close();

    const echoIn = await startEchoServer(0, replyBytes);
    cleanups.push(() => echoIn.close());
    const rawIn = await measureRoundTrips(`ws://127.0.0.1:${echoIn.port}`, request, TASKS, WARMUP_TASKS, 30_000);
    await echoIn.close();

    const s = summary(separate.latency);
    const g = summary(separate.gaps);
    const b = summary(rawSeparate);
    const a = summary(separate.agentMs);
    const si = summary(inProcess.latency);
    const gi = summary(inProcess.gaps);
    const bi = summary(rawIn);
    const how = `${TASKS} no-op tasks, 1 agent × 1 slot, store on; agent = ${cliCommand('farmhand-agent').reason}`;
    const raw = `raw ws RTT (${Buffer.byteLength(request)} B out / ${replyBytes} B back)`;
    rows.push(
      row({ bench: 'dispatch', metric: 'assign→succeeded p50 (agent process)', unit: 'ms', measured: round(s.p50), baseline: round(b.p50), baselineLabel: `${raw} p50`, goal: { op: '<=', value: 1 }, note: how }),
      row({ bench: 'dispatch', metric: 'assign→succeeded p99 (agent process)', unit: 'ms', measured: round(s.p99), baseline: round(b.p99), baselineLabel: `${raw} p99`, goal: { op: '<=', value: 10 }, note: `max ${round(s.max, 1)} ms` }),
      row({ bench: 'dispatch', metric: 'agent\'s own time per task p50 (agent process)', unit: 'ms', measured: round(a.p50), note: `p99 ${round(a.p99)} ms: task.done's elapsedMs (assign received → done sent), part of assign→succeeded` }),
      row({ bench: 'dispatch', metric: 'agent\'s own time per task p99 (agent process)', unit: 'ms', measured: round(a.p99), note: `share of assign→succeeded: p50 ${Math.round((100 * a.p50) / s.p50)} %, p99 ${Math.round((100 * a.p99) / s.p99)} %` }),
      row({ bench: 'dispatch', metric: 'succeeded→next assigned p50 (agent process)', unit: 'ms', measured: round(g.p50), note: `p99 ${round(g.p99)} ms; controller-side gap between tasks` }),
      row({ bench: 'dispatch', metric: 'succeeded→next assigned p99 (agent process)', unit: 'ms', measured: round(g.p99), note: `max ${round(g.max, 1)} ms` }),
      row({ bench: 'dispatch', metric: 'tasks/s, 1 slot (agent process)', unit: 'tasks/s', measured: round(TASKS / (separate.wallMs / 1000), 0), note: `${TASKS} tasks in ${round(separate.wallMs / 1000, 2)} s` }),
      row({ bench: 'dispatch', metric: 'assign→succeeded p50 (in-process agent)', unit: 'ms', measured: round(si.p50), baseline: round(bi.p50), baselineLabel: `${raw} p50, in-process`, note: 'agent shares the controller\'s event loop' }),
      row({ bench: 'dispatch', metric: 'assign→succeeded p99 (in-process agent)', unit: 'ms', measured: round(si.p99), baseline: round(bi.p99), baselineLabel: `${raw} p99, in-process`, note: `max ${round(si.max, 1)} ms` }),
      row({ bench: 'dispatch', metric: 'succeeded→next assigned p50 / p99 (in-process)', unit: 'ms', measured: round(gi.p50), note: `p99 ${round(gi.p99)} ms` }),
    );
    return rows;
  } finally {
    for (const cleanup of cleanups.reverse()) await cleanup().catch(() => undefined);
    await scratch.cleanup();
  }
}
