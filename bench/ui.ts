import { execFileSync } from 'node:child_process';
import { basename, join } from 'node:path';
import type { Page } from 'playwright-core';
import { AgentSettings } from '../electron/controller/agents/agent-settings.js';
import { loadOrCreateApiToken } from '../electron/controller/api/api-token.js';
import { startApiServer, type ApiServer } from '../electron/controller/api/api-server.js';
import { ApiEventBatcher } from '../electron/controller/api/api-event-batcher.js';
import { createFarmService } from '../electron/controller/api/farm-service.js';
import { createStaticFileHandler } from '../electron/controller/api/static-files.js';
import type { Controller } from '../electron/controller/create-controller.js';
import { compileBlenderJob } from '../electron/controller/jobs/blender/blender-job.js';
import { readFrameList } from '../electron/controller/jobs/frame-list.js';
import { compileNoopJob } from '../electron/controller/jobs/noop/noop-job.js';
import type { Agent } from '../node-agent/create-agent.js';
import { describeFile, generateFarmKey } from '../node-agent/protocol/index.js';
import { launchBrowser } from '../test/e2e/helpers/browser.js';
import { startBenchController, startInProcessAgent, waitOnline } from './lib/farm.js';
import { ROOT } from './lib/processes.js';
import { row, round, type Row } from './lib/row.js';
import { scratchDir, sleep } from './lib/scratch.js';
import { max, median } from './lib/stats.js';

/** What this benchmark does, for BENCHMARKS.md. */
export const about =
  'The desktop UI (renderer/, built fresh into bench/.build/renderer) in headless Debian Chromium (playwright-core, 1280×900) against a controller in the bench process that serves it and its API on loopback, with a 10,000-task no-op job and a 10,000-frame render job (one frame per task, never run: its view adds the frame grid). Open: from the click on the job in the list to the frame after the task grid shows its rows (performance.now and requestAnimationFrame in the page), 5 times, each in a freshly reloaded page (the job\'s tasks fetched and laid out from nothing, as on a first look); also re-opened in the same page. Frame rate: requestAnimationFrame callbacks counted for 5 s in the job\'s detail view while the table scrolls a little every frame. Both measured first with the job waiting (no agent has its tag: the quiet baseline of the same page in the same run) and then while 3 in-process agents × 8 slots run its tasks, paced so that about 500 task updates/s reach the page (counted as the API\'s batched events, the same batching the page gets).';

const TASKS = 10_000;
const AGENTS = 3;
const SLOTS = 8;
/** Task length that makes ~500 batched task updates/s with 24 slots (each task shows up about twice: started, done). */
const TASK_MS = 90;
const OPENINGS = 5;
const FPS_SECONDS = 5;
const TAG = 'ui-bench';

interface Opening {
  ms: number;
  rows: number;
}

interface FrameRate {
  fps: number;
  worstFrameMs: number;
  /** Frames that took longer than two 60 Hz frames. */
  longFrames: number;
}

function buildRenderer(): string {
  const out = join(ROOT, 'bench', '.build', 'renderer');
  execFileSync(process.execPath, [join(ROOT, 'scripts', 'build-renderer.mjs'), out], { cwd: ROOT, stdio: 'pipe', timeout: 120_000 });
  return out;
}

/** Clicks the job in the list and waits for the frame after its task grid (and, for a render, its frame grid) shows rows. */
async function openJob(page: Page, jobId: string, withFrames = false): Promise<Opening> {
  await page.locator(`tr[data-job-id="${jobId}"]`).waitFor({ timeout: 20_000 });
  return page.evaluate(async ({ id, withFrames }) => {
    const button = document.querySelector<HTMLButtonElement>(`tr[data-job-id="${id}"] button`);
    if (!button) throw new Error('the job row has no button');
    const started = performance.now();
    button.click();
    const deadline = started + 20_000;
    for (;;) {
      await new Promise((r) => requestAnimationFrame(r));
      const grid = document.querySelector('[role="grid"][aria-label^="Tasks ("]');
      const rows = grid ? grid.querySelectorAll('[role="row"]').length : 0;
      const frames = document.querySelectorAll('.frame-grid .frame-cell').length;
      if (rows > 1 && (!withFrames || frames > 0)) {
        // The frame that shows them has been produced once the next frame starts.
        await new Promise((r) => requestAnimationFrame(r));
        return { ms: performance.now() - started, rows };
      }
      if (performance.now() > deadline) throw new Error('the task grid did not show within 20 s');
    }
  }, { id: jobId, withFrames });
}

async function backToList(page: Page): Promise<void> {
  await page.getByRole('button', { name: '← All jobs' }).click();
  await page.getByRole('heading', { name: 'Jobs', level: 1 }).waitFor({ timeout: 10_000 });
}

/** Counts animation frames for `seconds` while the task table scrolls by a few pixels each frame. */
async function frameRate(page: Page, seconds: number): Promise<FrameRate> {
  return page.evaluate(async (ms) => {
    // The task grid is its own scroller (virtualised rows).
    const scroller = document.querySelector<HTMLElement>('[role="grid"][aria-label^="Tasks ("]');
    const gaps: number[] = [];
    const started = performance.now();
    let last = started;
    let direction = 1;
    while (performance.now() - started < ms) {
      const now = await new Promise<number>((r) => requestAnimationFrame(r));
      gaps.push(now - last);
      last = now;
      if (scroller) {
        if (scroller.scrollTop + scroller.clientHeight >= scroller.scrollHeight - 10) direction = -1;
        if (scroller.scrollTop <= 0) direction = 1;
        scroller.scrollTop += 7 * direction;
      }
    }
    const elapsed = performance.now() - started;
    return { fps: (gaps.length / elapsed) * 1000, worstFrameMs: Math.max(...gaps.slice(1)), longFrames: gaps.filter((g) => g > 33.4).length };
  }, seconds * 1000);
}

/**
 * Opens the job OPENINGS times. Cold: the page is reloaded before each opening, so the job's
 * 10,000 tasks are fetched (tasks.list, 1000 a page) and laid out from nothing, as the first
 * time a wrangler opens it; warm: the page keeps what it loaded (going back to a job).
 */
async function measureOpenings(page: Page, jobId: string, o: { withFrames?: boolean; cold: boolean }): Promise<Opening[]> {
  const openings: Opening[] = [];
  for (let i = 0; i < OPENINGS; i++) {
    if (o.cold) {
      await page.reload();
      // Clicked as soon as its row shows: the list starts loading a job's tasks when it shows
      // the row (for its chunk strip), so the opening waits for that load, as on a first look.
      await page.getByRole('heading', { name: 'Jobs', level: 1 }).waitFor({ timeout: 20_000 });
    }
    openings.push(await openJob(page, jobId, o.withFrames));
    await sleep(300);
    await backToList(page);
    await sleep(300);
  }
  return openings;
}

/** Counts task updates as the page receives them: the same batching as the API server's. */
function countTaskUpdates(service: ReturnType<typeof createFarmService>): { perSecond(): number; reset(): void; stop(): void } {
  let count = 0;
  let since = performance.now();
  const batcher = new ApiEventBatcher({ onBatch: (events) => (count += events.filter((e) => e.kind === 'task').length) });
  const stop = service.onEvent((event) => batcher.push(event));
  return {
    perSecond: () => (count / (performance.now() - since)) * 1000,
    reset: () => {
      count = 0;
      since = performance.now();
    },
    stop: () => {
      stop();
      batcher.close();
    },
  };
}

export async function run(): Promise<Row[]> {
  const uiFolder = buildRenderer();
  const scratch = await scratchDir('ui');
  const farmKey = generateFarmKey();
  const cleanups: (() => Promise<unknown>)[] = [];
  try {
    const agents: Agent[] = [];
    for (let i = 0; i < AGENTS; i++) {
      const agent = await startInProcessAgent({ farmKey, dataDir: join(scratch.dir, `agent-${i}`), slots: SLOTS });
      cleanups.push(() => agent.close());
      agents.push(agent);
    }
    const controller: Controller = await startBenchController({ home: join(scratch.dir, 'home'), farmKey, agentUrls: agents.map((a) => `wss://127.0.0.1:${a.port}`), persist: true });
    cleanups.push(() => controller.close());
    await waitOnline(controller, AGENTS);
    const home = join(scratch.dir, 'home');
    const agentSettings = await AgentSettings.open(home);
    cleanups.push(() => agentSettings.close());
    const service = createFarmService(controller, { outputRoot: join(scratch.dir, 'out'), home, agentSettings });
    const token = await loadOrCreateApiToken(home);
    const server: ApiServer = await startApiServer({ api: service.api, onEvent: service.onEvent, token, host: '127.0.0.1', port: 0, onHttpRequest: createStaticFileHandler({ root: uiFolder }) });
    cleanups.push(() => server.close());
    const updates = countTaskUpdates(service);
    cleanups.push(async () => updates.stop());

    // The job waits (no agent has its tag) until the quiet figures are taken.
    const job = compileNoopJob({ count: TASKS, durationMs: TASK_MS, outputDir: join(scratch.dir, 'out', 'ui'), name: `ui ${TASKS}`, tags: [TAG] });
    controller.submit(job);
    // A render of 10,000 one-frame chunks that never runs (no agent has its tag): its view also
    // has the frame grid (10,000 placeholders, virtualised) above the task table.
    const scene = join(ROOT, 'assets', 'examples', 'spinning-cube.blend');
    const render = compileBlenderJob(
      { scenePath: scene, frames: readFrameList(`1-${TASKS}`), chunkSize: 1, outputDir: join(scratch.dir, 'out', 'render'), tags: ['ui-bench-never'] },
      { scene: await describeFile(scene, basename(scene)), scenePath: scene, sceneInfo: null, agentCount: AGENTS },
    );
    controller.submit(render);

    // The e2e tests' browser: Debian's Chromium, nothing reachable but 127.0.0.1, 1280×900.
    const browser = await launchBrowser();
    cleanups.push(() => browser.close());
    const page = await browser.newPage();
    await page.goto(`http://127.0.0.1:${server.port}/#token=${encodeURIComponent(token)}`);
    await page.getByRole('heading', { name: 'Jobs', level: 1 }).waitFor({ timeout: 20_000 });

    const quietOpenings = await measureOpenings(page, job.id, { cold: true });
    await openJob(page, job.id);
    const quietRate = await frameRate(page, FPS_SECONDS);
    await backToList(page);

    // Giving the agents the job's tag (through the API, as the nodes view does) starts the stream.
    for (const agent of controller.agents()) await service.api['agents.setTags']({ agentId: agent.agentId, tags: [TAG] });
    const succeeded = () => job.tasks.filter((t) => t.state === 'succeeded').length;
    for (let i = 0; i < 400 && succeeded() < 200; i++) await sleep(50);
    if (succeeded() < 200) throw new Error(`only ${succeeded()} tasks finished within 20 s of tagging the agents; the stream did not start`);
    updates.reset();
    const renderOpenings = await measureOpenings(page, render.id, { withFrames: true, cold: true });
    const busyOpenings = await measureOpenings(page, job.id, { cold: true });
    const warmOpenings = await measureOpenings(page, job.id, { cold: false });
    await openJob(page, job.id);
    const busyRate = await frameRate(page, FPS_SECONDS);
    const streamed = updates.perSecond();
    const done = job.tasks.filter((t) => t.state === 'succeeded').length;
    if (done >= TASKS) throw new Error('the job finished before the measurement did; lengthen TASK_MS');

    const openMs = busyOpenings.map((o) => o.ms);
    const quietMs = quietOpenings.map((o) => o.ms);
    const rowsInDom = max(busyOpenings.map((o) => o.rows));
    const renderMs = renderOpenings.map((o) => o.ms);
    const warmMs = warmOpenings.map((o) => o.ms);
    return [
      row({ bench: 'ui', metric: `10,000-frame render job view opens, first time in the page (frame grid + task table), median of ${OPENINGS} (while ~500 task updates/s stream)`, unit: 'ms', measured: round(median(renderMs), 1), goal: { op: '<=', value: 300 }, note: `max ${round(max(renderMs), 1)} ms; 10,000 one-frame tasks waiting (tagged for no agent): every frame a placeholder` }),
      row({ bench: 'ui', metric: `10,000-task job view opens, first time in the page, median of ${OPENINGS} (while ~500 task updates/s stream)`, unit: 'ms', measured: round(median(openMs), 1), baseline: round(median(quietMs), 1), baselineLabel: 'the same opening with the job waiting (no updates)', goal: { op: '<=', value: 300 }, note: `max ${round(max(openMs), 1)} ms (quiet max ${round(max(quietMs), 1)} ms); ${rowsInDom} rows in the DOM for ${TASKS} tasks` }),
      row({ bench: 'ui', metric: `the same job opened again (its tasks already in the page), median of ${OPENINGS}`, unit: 'ms', measured: round(median(warmMs), 1), note: `max ${round(max(warmMs), 1)} ms` }),
      row({ bench: 'ui', metric: 'frame rate in the job view while task updates stream (table scrolling)', unit: 'fps', measured: round(busyRate.fps, 1), baseline: round(quietRate.fps, 1), baselineLabel: 'the same page and scrolling with no updates (the display\'s pace here)', goal: { op: '>=', value: 50 }, note: `worst frame ${round(busyRate.worstFrameMs, 1)} ms, ${busyRate.longFrames} frames over 33 ms in ${FPS_SECONDS} s (quiet: worst ${round(quietRate.worstFrameMs, 1)} ms, ${quietRate.longFrames} over 33 ms)` }),
      row({ bench: 'ui', metric: 'task updates/s reaching the page during those measurements', unit: 'updates/s', measured: Math.round(streamed), note: `batched as the API server does (latest state per task per 100 ms); ${done} of ${TASKS} tasks done by the end` }),
    ];
  } finally {
    for (const cleanup of cleanups.reverse()) await cleanup().catch(() => undefined);
    await scratch.cleanup();
  }
}
