import { join } from 'node:path';
import type { Page } from 'playwright-core';
import type { Controller } from '../electron/controller/create-controller.js';
import { compileNoopJob } from '../electron/controller/jobs/noop/noop-job.js';
import type { Agent } from '../node-agent/create-agent.js';
import { generateFarmKey, type NoopTaskSpec } from '../node-agent/protocol/index.js';
import { AGENT_PUSH_PROBE, READ_PROBE, RESET_PROBE, type AgentPushFigures } from './lib/agent-push-probe.js';
import { startBenchController, startInProcessAgent, waitOnline } from './lib/farm.js';
import { row, round, type Row } from './lib/row.js';
import { scratchDir, sleep } from './lib/scratch.js';
import { percentile } from './lib/stats.js';
import { buildRendererForBench, serveUi, spread } from './lib/ui-farm.js';

/** What this benchmark does, for BENCHMARKS.md. */
export const about =
  'The nodes view (renderer/, built fresh) in headless Debian Chromium (playwright-core, 1280×900) against a controller in the bench process, with 500 real agents: the cheapest real way found, since bench/lib/farm.ts has no lighter agent harness, is 500 in-process agents (createAgent, each its own TLS-PSK WebSocket server on 127.0.0.1 that the controller connects to, no mDNS) kept to the noop task type, so none probes Blender or ffmpeg, 1 slot each. A 30,000-task no-op job with task lengths spread over 1–4 s runs on them; the bench pauses it for 2 s every 5 s, so slots empty and fill and agents\' busy counts really change (a paced, steady job keeps every slot busy and shows nothing). Update latency: measured in the page, from the WebSocket message with agent events (a listener added before the app\'s) to the requestAnimationFrame after the DOM shows every changed agent\'s new busy count (the sparkline\'s data-busy), for pushes that change a rendered row (the others are counted). Baseline: the same page, job and cycle with the first 10 agents, before the other 490 are added through the API (agents.add, as the nodes view does).';

const AGENT_COUNT = 500;
const BASELINE_AGENT_COUNT = 10;
const TASKS = 30_000;
const RUN_MS = 3000;
const PAUSE_MS = 2000;
const BASELINE_WINDOW_S = 20;
const MEASURE_WINDOW_S = 30;

async function startAgents(count: number, o: { farmKey: string; dir: string }): Promise<Agent[]> {
  const agents: Agent[] = [];
  // A few at a time: each sets up its folders and a TLS server.
  for (let i = 0; i < count; i += 25) {
    const batch = Array.from({ length: Math.min(25, count - i) }, (_, k) => {
      const n = String(i + k).padStart(3, '0');
      return startInProcessAgent({ farmKey: o.farmKey, dataDir: join(o.dir, `agent-${n}`), name: `node-${n}`, slots: 1, taskTypes: ['noop'] });
    });
    agents.push(...(await Promise.all(batch)));
  }
  return agents;
}

/** Pauses and resumes the job in a cycle, so agents' busy slots go down and up. */
function cycleJob(controller: Controller, jobId: string): () => Promise<void> {
  let stopped = false;
  const loop = (async () => {
    for (let i = 0; i < 10_000 && !stopped; i++) {
      await sleep(RUN_MS);
      if (stopped) break;
      controller.scheduler.jobControls.pauseJob(jobId);
      await sleep(PAUSE_MS);
      controller.scheduler.jobControls.resumeJob(jobId);
    }
  })();
  return async () => {
    stopped = true;
    await loop;
  };
}

async function measure(page: Page, seconds: number): Promise<AgentPushFigures> {
  await page.evaluate(RESET_PROBE);
  await sleep(seconds * 1000);
  return (await page.evaluate(READ_PROBE)) as AgentPushFigures;
}

function describe(f: AgentPushFigures): string {
  return `${f.latencies.length} timed pushes (p50 ${round(percentile(f.latencies, 50), 1)} ms, p99 ${round(percentile(f.latencies, 99), 1)} ms, max ${round(Math.max(...f.latencies), 1)} ms); ${f.pushes} pushes with agent events in ${round(f.seconds, 1)} s, ${f.unchanged} changed no rendered row; ${Math.round(f.agentEvents / f.seconds)} agent events/s; ${f.timedOut} never shown within 10 s; ${f.longTasks} main-thread tasks over 50 ms in the page (longest ${Math.round(f.longestTask)} ms)`;
}

/** The sizes can be made smaller to check the benchmark itself quickly (run-all uses the defaults). */
export async function run(o: { agents?: number; baselineAgents?: number; baselineSeconds?: number; measureSeconds?: number } = {}): Promise<Row[]> {
  const AGENTS = o.agents ?? AGENT_COUNT;
  const BASELINE_AGENTS = o.baselineAgents ?? BASELINE_AGENT_COUNT;
  const BASELINE_SECONDS = o.baselineSeconds ?? BASELINE_WINDOW_S;
  const MEASURE_SECONDS = o.measureSeconds ?? MEASURE_WINDOW_S;
  const uiFolder = buildRendererForBench();
  const scratch = await scratchDir('ui-nodes');
  const farmKey = generateFarmKey();
  const cleanups: (() => Promise<unknown>)[] = [];
  try {
    const started = performance.now();
    const agents = await startAgents(AGENTS, { farmKey, dir: scratch.dir });
    cleanups.push(async () => {
      for (const a of agents) await a.close().catch(() => undefined);
    });
    const agentsStartSeconds = (performance.now() - started) / 1000;
    const home = join(scratch.dir, 'home');
    const controller = await startBenchController({ home, farmKey, agentUrls: agents.slice(0, BASELINE_AGENTS).map((a) => a.url), persist: false });
    cleanups.push(() => controller.close());
    await waitOnline(controller, BASELINE_AGENTS);
    const ui = await serveUi({ controller, home, outputRoot: join(scratch.dir, 'out'), uiFolder });
    cleanups.push(() => ui.close());

    const job = compileNoopJob({ count: TASKS, outputDir: join(scratch.dir, 'out', 'nodes'), name: `nodes ${TASKS}` });
    const lengths = spread(TASKS, 1000, 4000);
    job.tasks.forEach((t, i) => (t.spec = { ...(t.spec as NoopTaskSpec), durationMs: lengths[i]! }));
    controller.submit(job);
    const stopCycle = cycleJob(controller, job.id);
    cleanups.push(stopCycle);

    const { page } = ui;
    await page.addInitScript({ content: AGENT_PUSH_PROBE });
    await page.goto(ui.url);
    await page.getByRole('heading', { name: 'Jobs', level: 1 }).waitFor({ timeout: 20_000 });
    await page.getByRole('navigation', { name: 'Views' }).getByRole('button', { name: 'Nodes' }).click();
    await page.locator('tr[data-agent-id] svg[data-busy]').first().waitFor({ timeout: 20_000 });
    await sleep(3000); // the running job's tasks load (the view's "Current task")
    const baseline = await measure(page, BASELINE_SECONDS);

    const t0 = performance.now();
    for (const a of agents.slice(BASELINE_AGENTS)) await ui.service.api['agents.add']({ url: a.url });
    await waitOnline(controller, AGENTS, 180_000);
    const connectSeconds = (performance.now() - t0) / 1000;
    await page.locator(`table[aria-rowcount="${AGENTS + 1}"]`).waitFor({ timeout: 30_000 });
    await sleep(3000);
    const rowsInDom = await page.locator('tr[data-agent-id]').count();
    const busy = await measure(page, MEASURE_SECONDS);
    const done = job.tasks.filter((t) => t.state === 'succeeded').length;
    if (done >= TASKS) throw new Error('the job finished before the measurement did; add tasks');
    if (busy.latencies.length < 20) throw new Error(`only ${busy.latencies.length} pushes changed a rendered row in ${MEASURE_SECONDS} s: ${describe(busy)}`);

    const p95 = percentile(busy.latencies, 95);
    const baseP95 = percentile(baseline.latencies, 95);
    return [
      row({ bench: 'ui-nodes', metric: `agent update shown in the nodes view, p95, ${AGENTS} agents (message in → frame after the DOM shows it)`, unit: 'ms', measured: round(p95, 1), baseline: round(baseP95, 1), baselineLabel: `the same page, job and pause cycle with ${BASELINE_AGENTS} agents`, goal: { op: '<=', value: 50 }, note: `${AGENTS} agents: ${describe(busy)}. ${BASELINE_AGENTS} agents: ${describe(baseline)}` }),
      row({ bench: 'ui-nodes', metric: `agent update shown, p50, ${AGENTS} agents`, unit: 'ms', measured: round(percentile(busy.latencies, 50), 1), baseline: round(percentile(baseline.latencies, 50), 1), baselineLabel: `${BASELINE_AGENTS} agents` }),
      row({ bench: 'ui-nodes', metric: `agent rows in the DOM with ${AGENTS} agents (virtualised table)`, unit: 'count', measured: rowsInDom, note: `${AGENTS} in-process agents started in ${round(agentsStartSeconds, 1)} s; ${AGENTS - BASELINE_AGENTS} added through the API were online after ${round(connectSeconds, 1)} s; ${done} of ${TASKS} tasks done by the end` }),
      row({ bench: 'ui-nodes', metric: `agent events/s reaching the page, ${AGENTS} agents`, unit: 'updates/s', measured: Math.round(busy.agentEvents / busy.seconds), note: `batched as the API server does (latest state per agent per 100 ms): ${round(busy.pushes / busy.seconds, 1)} pushes/s` }),
    ];
  } finally {
    for (const cleanup of cleanups.reverse()) await cleanup().catch(() => undefined);
    await scratch.cleanup();
  }
}
