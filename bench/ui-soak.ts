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
  'The soak: the desktop UI (renderer/, built fresh) in headless Debian Chromium (playwright-core, 1280×900) against a controller in the bench process, with 3 in-process agents × 8 slots running no-op jobs of 90 ms tasks, paced to about 500 task updates/s reaching the page (counted as the API\'s batched events). The page shows the running job\'s detail (task table streaming); jobs are 20,000 tasks, and when one ends the next is submitted, the page opens it from the list, and jobs older than the last two are deleted, so the page also creates and drops a job\'s worth of tasks every ~80 s, as a farm does. Every minute (the first after a 30 s warm-up), in the job view: garbage collected (CDP HeapProfiler.collectGarbage), then the JS heap used (CDP Runtime.getHeapUsage) and the DOM nodes alive (CDP Memory.getDOMCounters: attached or not, so detached leaks count). Growth = last sample against the first.';

const AGENTS = 3;
const SLOTS = 8;
const TASK_MS = 90;
const TASKS_PER_JOB = 20_000;
const KEEP_JOBS = 2;
const WARM_UP_MS = 30_000;

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

    const started = performance.now();
    const end = started + minutes * 60_000;
    let nextSample = started + WARM_UP_MS;
    const samples: Sample[] = [];
    let rotations = 0;
    let updatesAtFirstSample = 0;
    let firstSampleAt = 0;
    for (let i = 0; i < 1_000_000 && performance.now() < end + 60_000; i++) {
      if (current.tasks.every((t) => t.state === 'succeeded' || t.state === 'failed' || t.state === 'canceled')) {
        current = submitNext();
        for (const old of jobs.splice(0, Math.max(0, jobs.length - KEEP_JOBS))) await ui.service.api['jobs.delete']({ jobId: old.id });
        await openJob(page, current.id);
        rotations++;
      }
      if (performance.now() >= nextSample) {
        if (samples.length === 0) {
          updatesAtFirstSample = updates;
          firstSampleAt = performance.now();
        }
        samples.push(await sampleMemory(page, cdp, round((performance.now() - started - WARM_UP_MS) / 60_000, 2)));
        if (performance.now() >= end) break;
        nextSample += 60_000;
      }
      await sleep(200);
    }
    const rate = ((updates - updatesAtFirstSample) / (performance.now() - firstSampleAt)) * 1000;
    if (samples.length < 2) throw new Error(`only ${samples.length} memory sample(s) in ${minutes} min; the soak needs at least 2`);
    const first = samples[0]!;
    const last = samples[samples.length - 1]!;
    const series = (pick: (s: Sample) => number, digits: number) => samples.map((s) => round(pick(s), digits)).join(', ');
    const span = `${round(last.minute - first.minute, 1)} min`;
    return [
      row({ bench: 'ui-soak', metric: `JS heap growth over ${span} of ~500 task updates/s (after GC)`, unit: '%', measured: round(growth(first.heapMB, last.heapMB), 1), goal: { op: '<=', value: 10 }, note: `start ${round(first.heapMB, 1)} MB, end ${round(last.heapMB, 1)} MB, max ${round(max(samples.map((s) => s.heapMB)), 1)} MB; per minute: ${series((s) => s.heapMB, 1)} MB` }),
      row({ bench: 'ui-soak', metric: `DOM node growth over ${span} (nodes alive after GC, detached included)`, unit: '%', measured: round(growth(first.domNodes, last.domNodes), 1), goal: { op: '<=', value: 10 }, note: `start ${first.domNodes}, end ${last.domNodes}, max ${max(samples.map((s) => s.domNodes))}; per minute: ${series((s) => s.domNodes, 0)}; elements in the document: ${first.elements} → ${last.elements}; JS event listeners: ${first.listeners} → ${last.listeners}` }),
      row({ bench: 'ui-soak', metric: 'JS heap at the start / end of the soak (after GC)', unit: 'MB', measured: round(last.heapMB, 1), baseline: round(first.heapMB, 1), baselineLabel: 'the first sample, after a 30 s warm-up' }),
      row({ bench: 'ui-soak', metric: 'task updates/s reaching the page during the soak', unit: 'updates/s', measured: Math.round(rate), note: `batched as the API server does; ${rotations} job(s) of ${TASKS_PER_JOB.toLocaleString('en-US')} tasks finished and replaced; ${samples.length} samples over ${minutes} min asked` }),
    ];
  } finally {
    for (const cleanup of cleanups.reverse()) await cleanup().catch(() => undefined);
    await scratch.cleanup();
  }
}
