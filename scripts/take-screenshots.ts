import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { copyFile, mkdir, mkdtemp, readFile, rename, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import type { Page } from 'playwright-core';
import { findFfmpeg } from '../electron/controller/thumbnails/find-ffmpeg.js';
import { startAgentProcess, type AgentProcess } from '../test/e2e/helpers/agent-process.js';
import { launchBrowser, type TestBrowser } from '../test/e2e/helpers/browser.js';
import { dropFile } from '../test/e2e/helpers/drop-file.js';
import { eventually, startUiController, type UiController } from '../test/e2e/helpers/ui-controller.js';

/**
 * The README's screenshots, taken from the real app in browser mode: a built `farmhand
 * controller` (its local agent, a temp FARMHAND_HOME and output root, loopback only) renders
 * the example scene, so the pictures show real frames, real logs and real failures, not mocks.
 * It drives the page with the e2e tests' helpers, so what it shows is what they check.
 *
 *   npm run build && node --import tsx scripts/take-screenshots.ts [OUT_DIR]   (default docs/screenshots/)
 */
const run = promisify(execFile);
const root = fileURLToPath(new URL('..', import.meta.url));
const EXAMPLE = join(root, 'assets/examples/spinning-cube.blend');
const VIEWPORT = { width: 1280, height: 800 };
const VIEWS = ['jobs', 'job-detail', 'charts', 'frame-viewer', 'task-log', 'failed', 'nodes', 'settings', 'submit-dialog'] as const;
/** Everything, renders included, must be done by then; clean-up follows either way. */
const TOTAL_LIMIT_MS = 10 * 60_000;

interface Scene {
  dir: string;
  controller: UiController;
  browser: TestBrowser;
  page: Page;
  extraAgent?: AgentProcess;
}

async function main(outDir: string): Promise<void> {
  for (const built of ['dist/renderer/index.html', 'dist/bundle/farmhand.cjs']) {
    if (!existsSync(join(root, built))) throw new Error(`${built} is missing: run \`npm run build\` first, the screenshots are taken from the built app.`);
  }
  const dir = await mkdtemp(join(tmpdir(), 'fh-screenshots-'));
  // Blender (run by the local agent) and Chromium keep their caches in this scratch HOME.
  process.env.HOME = join(dir, 'home');
  process.env.XDG_CACHE_HOME = join(dir, 'home/.cache');
  await mkdir(process.env.XDG_CACHE_HOME, { recursive: true });
  const scene: Partial<Scene> = { dir };
  let cleaning: Promise<void> | undefined;
  const cleanUp = () => (cleaning ??= (async () => {
    await scene.extraAgent?.kill().catch(() => undefined);
    await scene.browser?.close().catch(() => undefined);
    await scene.controller?.stop().catch(() => undefined);
    await rm(dir, { recursive: true, force: true });
  })());
  const stop = (why: string) => {
    console.error(why);
    void cleanUp().finally(() => process.exit(1));
  };
  const timer = setTimeout(() => stop(`Screenshots took longer than ${TOTAL_LIMIT_MS / 60_000} minutes; stopped.`), TOTAL_LIMIT_MS);
  const interrupted = () => stop('Interrupted; stopped.');
  process.once('SIGINT', interrupted).once('SIGTERM', interrupted);
  try {
    // Both are started at once, and whichever started is stopped even if the other failed.
    const started = await Promise.allSettled([startUiController(dir).then((c) => (scene.controller = c)), launchBrowser().then((b) => (scene.browser = b))]);
    for (const s of started) if (s.status === 'rejected') throw s.reason;
    await fillTheFarm(scene as Scene);
    scene.page = await scene.browser!.newPage();
    await scene.page.setViewportSize(VIEWPORT);
    // Taken into the scratch folder and copied out only when all are good: a failed run leaves the old ones.
    const shots = join(dir, 'shots');
    await mkdir(shots);
    await shootEveryView(scene as Scene, shots).catch(async (e) => { if (process.env.FH_DEBUG) await scene.page!.screenshot({ path: '/tmp/shot-debug.png' }); throw e; });
    if (scene.browser!.problems.length) throw new Error(`the page reached beyond the controller or broke its CSP: ${scene.browser!.problems.join('; ')}`);
    await shrink(shots);
    await mkdir(outDir, { recursive: true });
    for (const name of VIEWS) await copyFile(join(shots, `${name}.png`), join(outDir, `${name}.png`));
  } finally {
    clearTimeout(timer);
    process.off('SIGINT', interrupted).off('SIGTERM', interrupted);
    await cleanUp();
  }
}

/**
 * Jobs in every state the list can show: a finished render, a paused one part-way, a failed
 * one, one waiting for an agent, and one left rendering (with an ETA) while the pictures are taken.
 */
async function fillTheFarm(s: Scene): Promise<void> {
  const api = s.controller.api;
  const copy = async (name: string) => {
    const path = join(s.dir, 'scenes', name);
    await mkdir(join(s.dir, 'scenes'), { recursive: true });
    await copyFile(EXAMPLE, path);
    return path;
  };
  const stateOf = async (jobId: string) => (await api.call('jobs.get', { jobId })).state;

  console.log('rendering frames 1-12 of the example scene…');
  const done = await api.call('jobs.submit', { type: 'render', scenePath: await copy('spinning-cube.blend'), frames: '1-12', chunkSize: 4 });
  await eventually('the example render to succeed', 180_000, async () => ((await stateOf(done.id)) === 'succeeded' ? true : undefined));

  console.log('starting the full 48 frames, to pause part-way…');
  const paused = await api.call('jobs.submit', { type: 'render', scenePath: await copy('spinning-cube-full.blend'), chunkSize: 6 });
  await eventually('two chunks of the full render', 180_000, async () => ((await api.call('jobs.get', { jobId: paused.id })).succeededCount >= 2 ? true : undefined));
  await api.call('jobs.pause', { jobId: paused.id });
  await eventually('the full render to be paused with nothing running', 60_000, async () => {
    const tasks = await api.call('tasks.list', { jobId: paused.id, state: ['assigned', 'running'] });
    return (await stateOf(paused.id)) === 'paused' && tasks.total === 0 ? true : undefined;
  });

  console.log('a render with a 1 s task limit, to fail…');
  const failed = await api.call('jobs.submit', { type: 'render', scenePath: await copy('spinning-cube-timeout.blend'), frames: '1-12', chunkSize: 12, taskTimeoutSeconds: 1 });
  await eventually('the 1 s render to fail (three attempts)', 120_000, async () => ((await stateOf(failed.id)) === 'failed' ? true : undefined));

  // Tagged for an agent nobody runs, so it stays queued.
  await api.call('jobs.submit', { type: 'render', scenePath: await copy('spinning-cube-gpu.blend'), tags: ['gpu'], priority: 80 });

  // A second agent on loopback, drained, so the nodes view shows more than the local one.
  const { farmKey } = await api.call('farm.info', {});
  s.extraAgent = await startAgentProcess({ dir: join(s.dir, 'render-02'), farmKey, name: 'render-02' });
  await api.call('agents.add', { url: s.extraAgent.url });
  const agentId = await eventually('render-02 to come online', 30_000, async () => (await api.call('agents.list', {})).find((a) => a.name === 'render-02' && a.online)?.agentId);
  await api.call('agents.drain', { agentId });

  console.log('a render left running…');
  const running = await api.call('jobs.submit', { type: 'render', scenePath: await copy('spinning-cube-final.blend'), chunkSize: 4, priority: 60 });
  await eventually('the running render to finish a chunk and start the next', 120_000, async () => {
    const tasks = await api.call('tasks.list', { jobId: running.id, state: ['running'] });
    return (await api.call('jobs.get', { jobId: running.id })).succeededCount >= 1 && tasks.total > 0 ? true : undefined;
  });
}

async function shootEveryView(s: Scene, outDir: string): Promise<void> {
  const { page, controller } = s;
  const nav = page.getByRole('navigation', { name: 'Views' });
  /** The window as it is, or `clip` of the whole page. */
  const shot = async (name: (typeof VIEWS)[number], clip?: { x: number; y: number; width: number; height: number }) => {
    await page.mouse.move(0, VIEWPORT.height - 1); // no hover highlight in the picture
    await page.screenshot({ path: join(outDir, `${name}.png`), animations: 'disabled', caret: 'hide', ...(clip ? { clip, fullPage: true } : {}) });
  };

  await page.goto(controller.uiUrl);
  await page.locator('tr[data-job-id]').nth(4).waitFor({ timeout: 15_000 });
  await page.locator('tr[data-job-id]', { hasText: 'paused' }).waitFor({ timeout: 10_000 });
  const running = page.locator('tr[data-job-id]', { hasText: 'running' });
  await running.waitFor({ timeout: 10_000 });
  await running.getByLabel('no estimate yet').waitFor({ state: 'detached', timeout: 10_000 });
  await shot('jobs');

  await page.getByRole('button', { name: /^spinning-cube(\.blend)?$/ }).click();
  const frames = page.getByRole('region', { name: 'Frames (12)' });
  await frames.waitFor({ timeout: 10_000 });
  await page.waitForFunction(() => {
    const images = [...document.querySelectorAll<HTMLImageElement>('[role="region"][aria-label="Frames (12)"] img')];
    return images.length === 12 && images.every((img) => img.complete && img.naturalWidth > 0);
  }, null, { timeout: 30_000 });
  await page.getByRole('grid', { name: 'Tasks (3)' }).locator('[role="row"]', { hasText: 'frames 9-12' }).waitFor({ timeout: 10_000 });
  await shot('job-detail');

  // The job's render-time chart and its tasks per agent, as a clip of the page.
  const charts = page.locator('section.job-charts[aria-labelledby]');
  await charts.getByRole('heading', { name: 'Render times' }).waitFor({ timeout: 10_000 });
  await charts.locator('figure').first().waitFor({ timeout: 10_000 });
  const box = await charts.evaluate((el) => { const r = el.getBoundingClientRect(); return { y: r.top + window.scrollY - 8, height: r.height + 16 }; });
  await shot('charts', { x: 0, y: box.y, width: VIEWPORT.width, height: box.height });

  // The frame viewer, opened from the first thumbnail, one step on.
  await frames.getByRole('button', { name: 'Frame 1', exact: true }).click();
  const viewer = page.getByRole('dialog', { name: /^Frames of / });
  await viewer.getByRole('img', { name: 'Frame 1' }).waitFor({ timeout: 15_000 });
  await viewer.getByRole('button', { name: 'Next' }).click();
  const second = viewer.getByRole('img', { name: 'Frame 2' });
  await second.waitFor({ timeout: 15_000 });
  await eventually('frame 2 to be shown', 15_000, async () => ((await second.evaluate((img: HTMLImageElement) => img.complete && img.naturalWidth > 0)) ? true : undefined));
  await shot('frame-viewer');
  await page.keyboard.press('Escape');
  await viewer.waitFor({ state: 'detached', timeout: 5_000 });

  const grid = page.getByRole('grid', { name: /^Tasks/ });
  await grid.focus();
  await page.keyboard.press('Home');
  await page.keyboard.press('Enter');
  const log = page.getByRole('region', { name: /^Log of / });
  await log.locator('.log-line', { hasText: 'Fra:' }).first().waitFor({ timeout: 10_000 });
  // The task table and the log under it, to the end of the page: a little taller than the window.
  const top = await page.getByRole('heading', { name: 'Tasks', level: 2 }).evaluate((h) => h.getBoundingClientRect().top + window.scrollY - 8);
  const bottom = await page.evaluate(() => document.documentElement.scrollHeight);
  await shot('task-log', { x: 0, y: top, width: VIEWPORT.width, height: bottom - top });

  await nav.getByRole('button', { name: /^Failed \(\d+\)$/ }).click();
  await page.getByText(/wall-clock limit/).first().waitFor({ timeout: 10_000 });
  await shot('failed');

  await nav.getByRole('button', { name: 'Nodes' }).click();
  await page.locator('tr[data-agent-id]', { hasText: 'render-02' }).filter({ hasText: 'drained' }).waitFor({ timeout: 10_000 });
  await page.locator('tr[data-agent-id]', { hasText: 'Blender' }).first().waitFor({ timeout: 10_000 });
  await shot('nodes');

  const info = await controller.api.call('farm.info', {});
  await nav.getByRole('button', { name: 'Settings' }).click();
  await page.locator('.pairing-code', { hasText: info.farmKey }).waitFor({ timeout: 10_000 });
  await shot('settings');

  await nav.getByRole('button', { name: 'Jobs' }).click();
  await dropFile(page, { name: 'spinning-cube.blend', bytes: await readFile(EXAMPLE) });
  const dialog = page.getByRole('dialog', { name: 'Submit a job' });
  await dialog.getByRole('region', { name: 'About spinning-cube.blend' }).getByText(/320 × 180/).waitFor({ timeout: 30_000 });
  await shot('submit-dialog');
  await dialog.getByRole('button', { name: 'Cancel' }).click();
}

/**
 * Playwright's PNGs are full-colour; a UI fits a 256-colour palette with no visible change, at
 * about half the bytes, so the README stays light. Without ffmpeg they are kept as they are.
 */
async function shrink(outDir: string): Promise<void> {
  const ffmpeg = findFfmpeg();
  if (!ffmpeg) return console.log('ffmpeg not found: the screenshots are left unoptimised.');
  for (const name of VIEWS) {
    const path = join(outDir, `${name}.png`);
    const packed = join(outDir, `${name}.packed.png`);
    await run(ffmpeg, ['-v', 'error', '-y', '-i', path, '-vf', 'split[a][b];[a]palettegen=max_colors=256:stats_mode=full[p];[b][p]paletteuse=dither=none', '-pred', 'mixed', packed], { timeout: 30_000 });
    await rename(packed, path);
  }
}

async function report(outDir: string): Promise<string> {
  const sizes = await Promise.all(VIEWS.map(async (n) => (await stat(join(outDir, `${n}.png`))).size));
  const kb = (bytes: number) => `${Math.round(bytes / 1024)} KB`;
  return [...VIEWS.map((n, i) => `  ${n}.png ${kb(sizes[i]!)}`), `${VIEWS.length} screenshots, ${kb(sizes.reduce((a, b) => a + b, 0))} in all, in ${outDir}`].join('\n');
}

const outDir = resolve(process.argv[2] ?? join(root, 'docs/screenshots'));
main(outDir)
  .then(async () => console.log(await report(outDir)))
  .catch((error: Error) => {
    console.error(`Screenshots failed: ${process.env.FH_DEBUG ? error.stack : error.message}`);
    process.exitCode = 1;
  });
