import { join } from 'node:path';
import type { CDPSession, Page } from 'playwright-core';
import type { Controller } from '../electron/controller/create-controller.js';
import { compileNoopJob } from '../electron/controller/jobs/noop/noop-job.js';
import type { JobRecord } from '../electron/controller/model/job-model.js';
import type { Agent } from '../node-agent/create-agent.js';
import { generateFarmKey } from '../node-agent/protocol/index.js';
import { ApiEventBatcher } from '../electron/controller/api/api-event-batcher.js';
import { startBenchController, startInProcessAgent, waitOnline } from './lib/farm.js';
import { row, round, type Row } from './lib/row.js';
import { scratchDir, sleep } from './lib/scratch.js';
import { soakMinutes } from './lib/soak-options.js';
import { max } from './lib/stats.js';
import { buildRendererForBench, serveUi } from './lib/ui-farm.js';

/**
 * The one-hour soak: is the page flat after an hour of streaming? Not part of the default
 * `npm run bench` (it takes the hour); run it by name:
 *   node --import tsx bench/run-all.ts ui-soak                 60 minutes
 *   node --import tsx bench/run-all.ts ui-soak --minutes=3     a short check of the bench itself
 * (FARMHAND_SOAK_MINUTES works too.) Its figures go to bench/results and BENCHMARKS.md as the others'.
 */
export const about =
  'The soak: the desktop UI (renderer/, built fresh) in headless Debian Chromium (playwright-core, 1280×900) against a controller in the bench process, with 3 in-process agents × 8 slots running no-op jobs of 90 ms tasks, paced to about 500 task updates/s reaching the page (counted as the API\'s batched events). The page shows the running job\'s detail (task table streaming); jobs are 10,000 tasks, and when one ends the next is submitted, the page opens it from the list, and jobs older than the last two are deleted, so the page also creates and drops a job\'s worth of tasks every ~40 s, as a farm does. The first sample is taken 10 s after the first job was deleted (from then on the page holds as many jobs as it ever will), then one every minute for the soak\'s length, in the job view: garbage collected (CDP HeapProfiler.collectGarbage), then the JS heap used (CDP Runtime.getHeapUsage) and the DOM nodes alive (CDP Memory.getDOMCounters: attached or not, so detached leaks count). Growth = the end level against the start level (the first and last samples; from 6 samples on, the means of the first and last 3, as the heap swings with where the running job is).';

const AGENTS = 3;
const SLOTS = 8;
const TASK_MS = 90;
const TASKS_PER_JOB = 10_000;
const KEEP_JOBS = 2;
/** After the first job is deleted the page holds as many jobs as it ever will: the steady state the samples compare. */
const SETTLE_MS = 10_000;
/**
 * No sample within this long after the page opened the next job: for a moment after a view
 * changes, React still holds the old view's detached DOM (its fibers are let go in the next
 * passive-effects pass), so a sample then reads ~1,200 nodes more that are gone a second later.
 * The first hour-long run sampled right after an open 3 times in 61 (4,857 nodes against
 * 3,600–3,740) and read +13.1 % from that alone; a leak stays, so waiting does not hide one.
 */
const QUIET_AFTER_OPEN_MS = 5_000;
const MAX_WARM_UP_MS = 10 * 60_000;

interface Sample {
  minute: number;
  heapMB: number;
  domNodes: number;
  /** Elements in the document now (what is on screen), for comparison. */
  elements: number;
  listeners: number;
}

async function sampleMemory(page: Page, cdp: CDPSession, minute: number): Promise<Sample> {
  await cdp.send('HeapProfiler.collectGarbage');
  await cdp.send('HeapProfiler.collectGarbage');
  const heap = await cdp.send('Runtime.getHeapUsage');
  const dom = await cdp.send('Memory.getDOMCounters');
  const elements = await page.evaluate(() => document.getElementsByTagName('*').length);
  return { minute, heapMB: heap.usedSize / 1024 ** 2, domNodes: dom.nodes, elements, listeners: dom.jsEventListeners };
}

/** Opens the job from the jobs list and waits until its task table shows rows. */
async function openJob(page: Page, jobId: string): Promise<void> {
  const back = page.getByRole('button', { name: '← All jobs' });
  if (await back.count()) await back.click();
  await page.getByRole('heading', { name: 'Jobs', level: 1 }).waitFor({ timeout: 20_000 });
  const row = page.locator(`tr[data-job-id="${jobId}"]`);
  await row.waitFor({ timeout: 20_000 });
  await row.locator('button').first().click();
  await page.locator(`section[data-job-id="${jobId}"] [role="grid"][aria-label^="Tasks ("] [role="row"][aria-rowindex="2"]`).waitFor({ timeout: 30_000 });
}

function growth(first: number, last: number): number {
  return ((last - first) / first) * 100;
}

/**
 * The start or end level: with 6 samples or more, the mean of the first (last) 3, since the
 * heap swings by ~10 % with where the running job is (8.3, 9.2, 8.2, 9.1 MB in a 3-minute run);
 * with fewer, the first (last) sample itself.
 */
function level(samples: readonly Sample[], pick: (s: Sample) => number, at: 'start' | 'end'): number {
  const n = samples.length >= 6 ? 3 : 1;
  const edge = at === 'start' ? samples.slice(0, n) : samples.slice(-n);
  return edge.reduce((sum, s) => sum + pick(s), 0) / edge.length;
}

export async function run(): Promise<Row[]> {
  const minutes = soakMinutes();
  const uiFolder = buildRendererForBench();
  const scratch = await scratchDir('ui-soak');
  const farmKey = generateFarmKey();
  const cleanups: (() => Promise<unknown>)[] = [];
  try {
    const agents: Agent[] = [];
    for (let i = 0; i < AGENTS; i++) {
      const agent = await startInProcessAgent({ farmKey, dataDir: join(scratch.dir, `agent-${i}`), slots: SLOTS, taskTypes: ['noop'] });
      cleanups.push(() => agent.close());
      agents.push(agent);
    }
    const home = join(scratch.dir, 'home');
    const controller: Controller = await startBenchController({ home, farmKey, agentUrls: agents.map((a) => a.url), persist: false });
    cleanups.push(() => controller.close());
    await waitOnline(controller, AGENTS);
    const ui = await serveUi({ controller, home, outputRoot: join(scratch.dir, 'out'), uiFolder });
    cleanups.push(() => ui.close());

    // Task updates as the page receives them (the API server's batching).
    let updates = 0;
    const batcher = new ApiEventBatcher({ onBatch: (events) => (updates += events.filter((e) => e.kind === 'task').length) });
    const stopCounting = ui.service.onEvent((event) => batcher.push(event));
    cleanups.push(async () => {
      stopCounting();
      batcher.close();
    });

    let seq = 0;
    const jobs: JobRecord[] = [];
    const submitNext = () => {
      const job = compileNoopJob({ count: TASKS_PER_JOB, durationMs: TASK_MS, outputDir: join(scratch.dir, 'out', `soak-${seq}`), name: `soak ${++seq}` });
      controller.submit(job);
      jobs.push(job);
      return job;
    };
    let current = submitNext();

    const { page } = ui;
    const cdp = await page.context().newCDPSession(page);
    await cdp.send('HeapProfiler.enable');
    await page.goto(ui.url);
    await openJob(page, current.id);

    const warmUpStarted = performance.now();
    let started = Number.POSITIVE_INFINITY; // the first sample: once the first job was deleted, and settled
    let end = Number.POSITIVE_INFINITY;
    let nextSample = Number.POSITIVE_INFINITY;
    const samples: Sample[] = [];
    let rotations = 0;
    let openedAt = performance.now();
    let updatesAtFirstSample = 0;
    let firstSampleAt = 0;
    for (let i = 0; i < 1_000_000 && performance.now() < end + 60_000; i++) {
      if (current.tasks.every((t) => t.state === 'succeeded' || t.state === 'failed' || t.state === 'canceled')) {
        current = submitNext();
        const old = jobs.splice(0, Math.max(0, jobs.length - KEEP_JOBS));
        for (const job of old) await ui.service.api['jobs.delete']({ jobId: job.id });
        await openJob(page, current.id);
        openedAt = performance.now();
        rotations++;
        if (old.length && started === Number.POSITIVE_INFINITY) {
          started = performance.now() + SETTLE_MS;
          nextSample = started;
          end = started + minutes * 60_000;
        }
      }
      if (started === Number.POSITIVE_INFINITY && performance.now() - warmUpStarted > MAX_WARM_UP_MS) throw new Error(`no job was replaced within ${MAX_WARM_UP_MS / 60_000} min; the stream did not run`);
      if (performance.now() >= nextSample && performance.now() - openedAt >= QUIET_AFTER_OPEN_MS) {
        if (samples.length === 0) {
          updatesAtFirstSample = updates;
          firstSampleAt = performance.now();
        }
        samples.push(await sampleMemory(page, cdp, round((performance.now() - started) / 60_000, 2)));
        if (performance.now() >= end) break;
        nextSample += 60_000;
      }
      await sleep(200);
    }
    const rate = ((updates - updatesAtFirstSample) / (performance.now() - firstSampleAt)) * 1000;
    if (samples.length < 2) throw new Error(`only ${samples.length} memory sample(s) in ${minutes} min; the soak needs at least 2`);
    const first = samples[0]!;
    const last = samples[samples.length - 1]!;
    const edges = samples.length >= 6 ? 'start and end: the means of the first and last 3 samples' : 'start and end: the first and last samples';
    const heapStart = level(samples, (s) => s.heapMB, 'start');
    const heapEnd = level(samples, (s) => s.heapMB, 'end');
    const domStart = level(samples, (s) => s.domNodes, 'start');
    const domEnd = level(samples, (s) => s.domNodes, 'end');
    const series = (pick: (s: Sample) => number, digits: number) => samples.map((s) => round(pick(s), digits)).join(', ');
    const span = `${round(last.minute - first.minute, 1)} min`;
    return [
      row({ bench: 'ui-soak', metric: `JS heap growth over ${span} of ~500 task updates/s (after GC)`, unit: '%', measured: round(growth(heapStart, heapEnd), 1), goal: { op: '<=', value: 10 }, note: `${edges}; start ${round(heapStart, 1)} MB, end ${round(heapEnd, 1)} MB, max ${round(max(samples.map((s) => s.heapMB)), 1)} MB; per minute: ${series((s) => s.heapMB, 1)} MB` }),
      row({ bench: 'ui-soak', metric: `DOM node growth over ${span} (nodes alive after GC, detached included)`, unit: '%', measured: round(growth(domStart, domEnd), 1), goal: { op: '<=', value: 10 }, note: `${edges}; start ${Math.round(domStart)}, end ${Math.round(domEnd)}, max ${max(samples.map((s) => s.domNodes))}; per minute: ${series((s) => s.domNodes, 0)}; elements in the document: ${first.elements} → ${last.elements}; JS event listeners: ${first.listeners} → ${last.listeners}` }),
      row({ bench: 'ui-soak', metric: 'JS heap at the start / end of the soak (after GC)', unit: 'MB', measured: round(last.heapMB, 1), baseline: round(first.heapMB, 1), baselineLabel: 'the first sample, once the page holds as many jobs as it ever will' }),
      row({ bench: 'ui-soak', metric: 'task updates/s reaching the page during the soak', unit: 'updates/s', measured: Math.round(rate), note: `batched as the API server does; ${rotations} job(s) of ${TASKS_PER_JOB.toLocaleString('en-US')} tasks finished and replaced; ${samples.length} samples over ${minutes} min asked` }),
    ];
  } finally {
    for (const cleanup of cleanups.reverse()) await cleanup().catch(() => undefined);
    await scratch.cleanup();
  }
}
