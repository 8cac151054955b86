import { cpus } from 'node:os';
import { join } from 'node:path';
import type { Controller } from '../electron/controller/create-controller.js';
import { compileNoopJob } from '../electron/controller/jobs/noop/noop-job.js';
import { generateFarmKey } from '../node-agent/protocol/index.js';
import { startCpuWindow, type CpuWindow } from './lib/cpu.js';
import { spawnAgent, startBenchController, startInProcessAgent, waitOnline, type AgentProcess } from './lib/farm.js';
import { cliCommand } from './lib/processes.js';
import { row, round, type Row } from './lib/row.js';
import { scratchDir, withTimeout } from './lib/scratch.js';

/** What this benchmark does, for BENCHMARKS.md. */
export const about =
  '10,000 no-op tasks (durationMs 0) in one job over 4 loopback agents with 8 slots each, controller in the bench process with its store on (persist, temp home), after a 400-task warm-up. Tasks/s = 10,000 / (submit → job succeeded). Headline: 4 agent processes on this machine\'s cores, the second 10,000-task job on them (steady state of running agents; the first one is reported beside it); also 4 agents inside the bench process. CPU use of the controller and the agent processes is read from process.cpuUsage and /proc over the same window.';

/**
 * Throughput: 10,000 no-op tasks (durationMs 0) in one job over 4 loopback agents with 8 slots
 * each, the controller's store on (persist: true, temp home). Tasks/s from submit to the job's
 * `succeeded`, after a small warm-up job. Headline: agents as their own processes (4 processes
 * on this machine's cores); also the same with the agents inside the bench process.
 */

export const TASKS = 10_000;
const AGENTS = 4;
const SLOTS = 8;
const WARMUP_TASKS = 400;
const JOB_TIMEOUT_MS = 120_000;

interface ThroughputRun {
  tasksPerSecond: number;
  seconds: number;
  completed: number;
  timedOut: boolean;
  cpu: CpuWindow;
}

async function warmUp(controller: Controller, outputDir: string): Promise<void> {
  const warm = compileNoopJob({ count: WARMUP_TASKS, outputDir, name: 'throughput warm-up' });
  controller.submit(warm);
  await withTimeout(controller.waitForJob(warm.id), JOB_TIMEOUT_MS, 'the warm-up job');
}

async function measure(controller: Controller, outputDir: string, childPids: number[]): Promise<ThroughputRun> {
  const job = compileNoopJob({ count: TASKS, outputDir, name: `throughput ${TASKS}` });
  const window = startCpuWindow(childPids);
  const started = performance.now();
  controller.submit(job);
  let timedOut = false;
  try {
    const summary = await withTimeout(controller.waitForJob(job.id), JOB_TIMEOUT_MS, `the ${TASKS}-task job`);
    if (summary.state !== 'succeeded') throw new Error(`the throughput job ended ${summary.state}: ${summary.failure ?? ''}`);
  } catch (error) {
    if (!/did not finish/.test((error as Error).message)) throw error;
    timedOut = true;
    controller.scheduler.jobControls.cancelJob(job.id);
  }
  const seconds = (performance.now() - started) / 1000;
  const cpu = window.stop();
  const completed = job.tasks.filter((t) => t.state === 'succeeded').length;
  return { tasksPerSecond: completed / seconds, seconds, completed, timedOut, cpu };
}

function describeCpu(cpu: CpuWindow): string {
  const children = cpu.childCores === null || cpu.childSystemCores === null ? ''
    : `, agent processes ${cpu.childCores.toFixed(2)} cores (${Math.round((100 * cpu.childSystemCores) / Math.max(cpu.childCores, 1e-9))} % of it in the kernel)`;
  return `CPU: controller process ${cpu.selfCores.toFixed(2)} cores (${Math.round((100 * cpu.selfSystemCores) / Math.max(cpu.selfCores, 1e-9))} % kernel; event loop ${Math.round(cpu.eventLoopBusy * 100)} % busy)${children}, of ${cpus().length} cores`;
}

export async function run(): Promise<Row[]> {
  const scratch = await scratchDir('throughput');
  const farmKey = generateFarmKey();
  const cleanups: (() => Promise<unknown>)[] = [];
  try {
    const processes: AgentProcess[] = await Promise.all(Array.from({ length: AGENTS }, (_, i) =>
      spawnAgent({ farmKey, dataDir: join(scratch.dir, `agent-proc-${i}`), home: scratch.home, slots: SLOTS })));
    for (const p of processes) cleanups.push(() => p.stop());
    const controller = await startBenchController({ home: join(scratch.dir, 'ctl-proc'), farmKey, agentUrls: processes.map((p) => p.url), persist: true });
    cleanups.push(() => controller.close());
    await waitOnline(controller, AGENTS);
    const pids = processes.map((p) => p.child.process.pid!).filter(Boolean);
    await warmUp(controller, join(scratch.dir, 'out-proc'));
    // The first 10,000 tasks on fresh agent processes run partly in V8's unoptimised tiers; the
    // second job is the steady state of agents that have been running a while (the normal case).
    const fresh = await measure(controller, join(scratch.dir, 'out-proc'), pids);
    const separate = await measure(controller, join(scratch.dir, 'out-proc'), pids);
    await controller.close();
    await Promise.all(processes.map((p) => p.stop()));

    const agents = await Promise.all(Array.from({ length: AGENTS }, (_, i) =>
      startInProcessAgent({ farmKey, dataDir: join(scratch.dir, `agent-in-${i}`), slots: SLOTS })));
    for (const a of agents) cleanups.push(() => a.close());
    const controllerIn = await startBenchController({ home: join(scratch.dir, 'ctl-in'), farmKey, agentUrls: agents.map((a) => a.url), persist: true });
    cleanups.push(() => controllerIn.close());
    await waitOnline(controllerIn, AGENTS);
    await warmUp(controllerIn, join(scratch.dir, 'out-in'));
    const inProcess = await measure(controllerIn, join(scratch.dir, 'out-in'), []);

    const partial = (r: ThroughputRun) => (r.timedOut ? `; TIMED OUT: only ${r.completed}/${TASKS} done in ${Math.round(r.seconds)} s` : '');
    return [
      row({
        bench: 'throughput',
        metric: `${TASKS.toLocaleString('en-US')} no-op tasks, ${AGENTS} agent processes × ${SLOTS} slots (steady state)`,
        unit: 'tasks/s',
        measured: round(separate.tasksPerSecond, 0),
        goal: { op: '>=', value: 10_000 },
        note: `the second ${TASKS.toLocaleString('en-US')}-task job on the same agents; ${round(separate.seconds, 2)} s submit→succeeded, store on; ${describeCpu(separate.cpu)}; agent = ${cliCommand('farmhand-agent').reason}${partial(separate)}`,
      }),
      row({
        bench: 'throughput',
        metric: `the first ${TASKS.toLocaleString('en-US')} tasks on freshly started agent processes`,
        unit: 'tasks/s',
        measured: round(fresh.tasksPerSecond, 0),
        note: `after only the ${WARMUP_TASKS}-task warm-up: the agents' code is still being optimised by V8; ${round(fresh.seconds, 2)} s; ${describeCpu(fresh.cpu)}${partial(fresh)}`,
      }),
      row({
        bench: 'throughput',
        metric: `${TASKS.toLocaleString('en-US')} no-op tasks, ${AGENTS} in-process agents × ${SLOTS} slots`,
        unit: 'tasks/s',
        measured: round(inProcess.tasksPerSecond, 0),
        note: `${round(inProcess.seconds, 2)} s, store on; agents share the controller's event loop; ${describeCpu(inProcess.cpu)}${partial(inProcess)}`,
      }),
    ];
  } finally {
    for (const cleanup of cleanups.reverse()) await cleanup().catch(() => undefined);
    await scratch.cleanup();
  }
}
