import assert from 'node:assert/strict';
import { stat } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import type { Page } from 'playwright-core';
import { compileNoopJob } from '../../electron/controller/jobs/noop/noop-job.js';
import { formatChartMs } from '../../renderer/src/model/charts/chart-format.js';
import { formatBytes } from '../../renderer/src/model/format.js';
import { makeClip } from '../helpers/media.js';
import { runBlenderScript } from '../helpers/blender-script.js';
import { describeViolations, launchBrowser, seriousA11yViolations, type TestBrowser } from './helpers/browser.js';
import { startInProcessUiFarm, type InProcessUiFarm } from './helpers/in-process-ui-farm.js';

// The job detail's pictures in Chromium, against a real controller and two real agents (in
// this process: the CLI cannot submit no-op jobs of chosen lengths): a render-time bar per
// task with the slow one marked "slow", a lane per agent with the slow agent labelled, a click
// (and Enter) opening the task, a real ffmpeg transcode's fps, speed and output size, and a
// real Blender chunk of three frames charted per frame from the controller's measured times,
// a frame's bar opening the frame viewer.

const TASK_TYPES = ['noop', 'transcode-chunk', 'transcode-audio', 'transcode-join'];
const TAG = 'charts';
let ui: InProcessUiFarm;
let browser: TestBrowser;
let page: Page;

before(async () => {
  [ui, browser] = await Promise.all([
    startInProcessUiFarm({ agents: [{ name: 'slow-node', tags: [TAG], taskTypes: TASK_TYPES }, { name: 'fast-node', taskTypes: TASK_TYPES }] }),
    launchBrowser(),
  ]);
  page = await browser.newPage();
  await ui.farm.waitFor(() => ui.farm.controller.agents().filter((a) => a.online).length === 2, 'both agents online', 20_000);
});

after(async () => {
  await browser?.close();
  await ui?.close();
});

async function openJob(jobId: string, name: string): Promise<void> {
  await page.goto(ui.uiUrl);
  await page.reload(); // a fresh page on the jobs list, also when it showed a job before
  await page.locator(`tr[data-job-id="${jobId}"]`).getByRole('button', { name, exact: true }).click();
  await page.locator(`section[data-job-id="${jobId}"]`).waitFor({ timeout: 10_000 });
}

test('a no-op job on a slow and a fast agent: a bar per task, the slow task and the slow agent marked, bars open their task', { timeout: 90_000 }, async () => {
  // Eight tasks of 1 s; the first takes 4 s. Only slow-node has the job's tag at first, so it
  // takes that one; fast-node gets the tag once it runs, and does most of the rest.
  const job = compileNoopJob({ count: 8, durationMs: 1000, outputDir: join(ui.outputRoot, 'noop'), name: 'charts-noop', tags: [TAG] });
  job.tasks[0]!.spec = { type: 'noop', durationMs: 4000 };
  ui.farm.controller.submit(job);
  const agents = Object.fromEntries(ui.farm.controller.agents().map((a) => [a.name, a.agentId]));
  await ui.farm.waitFor(() => job.tasks[0]!.agentId === agents['slow-node'], 'the long task on slow-node');
  await ui.service.api['agents.setTags']({ agentId: agents['fast-node']!, tags: [TAG] });
  await ui.farm.waitFor(() => job.tasks.every((t) => t.state === 'succeeded'), 'the job to succeed', 60_000);
  const ranOn = (agent: string) => job.tasks.filter((t) => t.agentId === agents[agent]);
  const timeOf = (t: (typeof job.tasks)[number]) => t.endedAt! - t.startedAt!;
  const mean = (agent: string) => ranOn(agent).reduce((n, t) => n + timeOf(t), 0) / ranOn(agent).length;
  assert.ok(mean('slow-node') > 1.5 * mean('fast-node'), `slow-node ${mean('slow-node')} ms per task, fast-node ${mean('fast-node')} ms`);
  // Slow as measured: over 1.5 × the median of the tasks' real times (the 4 s one, and any other a busy machine slowed as much).
  const sorted = job.tasks.map(timeOf).sort((a, b) => a - b);
  const threshold = 1.5 * ((sorted[3]! + sorted[4]!) / 2);
  const slowTasks = job.tasks.filter((t) => timeOf(t) > threshold).sort((a, b) => timeOf(b) - timeOf(a));
  assert.equal(slowTasks[0], job.tasks[0]);

  await openJob(job.id, 'charts-noop');
  // Render time per task: eight bars, the slow ones named slow, shown as "slow" in text.
  const timesFigure = page.getByRole('figure', { name: /^Render time per task/ });
  await timesFigure.waitFor({ timeout: 10_000 });
  const named = slowTasks.slice(0, 3).map((t) => `${t.label} ${formatChartMs(timeOf(t))}`).join(', ');
  assert.equal(await timesFigure.locator('figcaption').innerText(), `Render time per task: 8 of 8 tasks finished, median ${formatChartMs(threshold / 1.5)}, ${slowTasks.length} slow (over ${formatChartMs(threshold)}): ${named}${slowTasks.length > 3 ? ', …' : ''}.`);
  const timeBars = timesFigure.getByRole('group', { name: 'Render time per task: 8 bars' }).getByRole('button');
  assert.equal(await timeBars.count(), 8);
  const names = await timeBars.evaluateAll((bars) => bars.map((b) => b.getAttribute('aria-label')!));
  assert.deepEqual(names, job.tasks.map((t) => `${t.label}: ${formatChartMs(timeOf(t))}${slowTasks.includes(t) ? ', slow' : ''}`));
  assert.equal(names[0], `noop 1: ${formatChartMs(timeOf(job.tasks[0]!))}, slow`);
  assert.deepEqual(await timesFigure.locator('text.chart-slow-mark').evaluateAll((marks) => marks.map((m) => m.textContent)), slowTasks.map(() => 'slow'));

  // Tasks per agent: a lane each, every task a bar, slow-node labelled slow in the chart and the table.
  const timeline = page.getByRole('figure', { name: /^Tasks per agent over time/ });
  const span = Math.max(...job.tasks.map((t) => t.endedAt!)) - Math.min(...job.tasks.map((t) => t.startedAt!));
  assert.equal(await timeline.locator('figcaption').innerText(), `Tasks per agent over time: 2 agents, 8 tasks over ${formatChartMs(span)}. Slow: slow-node (${formatChartMs(mean('slow-node'))} per task against ${formatChartMs(mean('fast-node'))}).`);
  const laneBars = timeline.getByRole('group', { name: 'Tasks per agent over time: 2 lanes, 8 bars' }).getByRole('button');
  assert.equal(await laneBars.count(), 8);
  const laneNames = await laneBars.evaluateAll((bars) => bars.map((b) => b.getAttribute('aria-label')!));
  for (const t of job.tasks) {
    const agent = t.agentId === agents['slow-node'] ? 'slow-node' : 'fast-node';
    assert.equal(laneNames.filter((n) => n.startsWith(`${t.label} on ${agent}: `)).length, 1, `${t.label} on ${agent} in ${laneNames.join(' | ')}`);
  }
  const rows = await timeline.locator('table tbody tr').evaluateAll((trs) => trs.map((tr) => [...tr.children].map((c) => (c as HTMLElement).innerText)));
  assert.deepEqual(rows.map((r) => [r[0], r[1], r[5]!.split(' ')[0]]), [
    ['fast-node', String(ranOn('fast-node').length), 'normal'],
    ['slow-node', String(ranOn('slow-node').length), 'slow'],
  ]);
  assert.match((await timeline.locator('text.chart-lane-note.slow').textContent()) ?? '', new RegExp(`^slow: ${formatChartMs(mean('slow-node'))}/task$`));

  // A click on the slow bar opens its task: selected in the task grid, its log shown.
  await timeBars.nth(0).click();
  const selected = page.getByRole('grid', { name: /^Tasks/ }).locator('[role="row"][aria-selected="true"]');
  await selected.waitFor({ timeout: 5000 });
  assert.match(await selected.innerText(), /^noop 1\b/);
  // The keyboard: the timeline's bars are one tab stop; Right moves along the lane, Enter opens.
  const firstLaneBar = laneBars.nth(0);
  await firstLaneBar.focus();
  await page.keyboard.press('ArrowRight');
  const focused = await page.evaluate(() => document.activeElement?.getAttribute('aria-label') ?? '');
  assert.equal(focused, laneNames[1]);
  await page.keyboard.press('Enter');
  await selected.filter({ hasText: focused.split(' on ')[0]! }).waitFor({ timeout: 5000 });
  assert.equal(await laneBars.evaluateAll((bars) => bars.filter((b) => b.getAttribute('tabindex') === '0').length), 1);

  const violations = await seriousA11yViolations(page);
  assert.equal(violations.length, 0, describeViolations('job detail with charts', violations));
  assert.deepEqual(browser.problems, []);
});

test('a real transcode shows its fps, speed against realtime and output size', { timeout: 120_000 }, async () => {
  const clip = join(ui.farm.dir, 'clip.mp4');
  await makeClip(clip, { seconds: 4, rate: '25', size: '320x180', audio: false, preset: 'ultrafast' });
  const output = join(ui.outputRoot, 'transcoded', 'clip-out.mp4');
  const job = await ui.service.api['jobs.submit']({ type: 'transcode', inputPath: clip, outputPath: output, chunks: 2, preset: 'ultrafast', priority: 50, tags: [] });
  await ui.farm.waitFor(() => ui.farm.controller.scheduler.job(job.id)?.summary().state === 'succeeded', 'the transcode to succeed', 90_000).catch(async (error) => {
    throw new Error(`${(error as Error).message}; tasks: ${JSON.stringify((await ui.service.api['tasks.list']({ jobId: job.id, offset: 0, limit: 10 })).items.map((t) => [t.label, t.state, t.error]))}`);
  });
  const size = (await stat(output)).size;
  const tasks = (await ui.service.api['tasks.list']({ jobId: job.id, offset: 0, limit: 10 })).items;
  assert.equal(tasks.find((t) => t.type === 'transcode-join')!.outputBytes, size);

  await openJob(job.id, 'clip.mp4');
  const facts = page.getByLabel('Transcode figures');
  await facts.waitFor({ timeout: 10_000 });
  assert.match(await facts.locator('[data-fact="fps"]').innerText(), /^\d+(\.\d+)? fps$/);
  assert.match(await facts.locator('[data-fact="speed"]').innerText(), /^\d+(\.\d+)?× realtime$/);
  assert.equal(await facts.locator('[data-fact="output-size"]').innerText(), formatBytes(size));
  assert.match(await facts.innerText(), /Frames encoded\s+100 of 100 in /);
  const bars = page.getByRole('figure', { name: /^Render time per task/ }).getByRole('group').getByRole('button');
  assert.equal(await bars.count(), tasks.length);
  const violations = await seriousA11yViolations(page);
  assert.equal(violations.length, 0, describeViolations('transcode detail with figures', violations));
});

/** Three frames of 32×24, 1 Cycles sample: a chunk renders in a few seconds. */
const TINY_SCENE = `
import bpy, sys
out = sys.argv[sys.argv.index("--") + 1]
s = bpy.context.scene
s.render.engine = "CYCLES"
s.cycles.device = "CPU"
s.cycles.samples = 1
s.cycles.use_denoising = False
s.render.resolution_x, s.render.resolution_y, s.render.resolution_percentage = 32, 24, 100
s.frame_start, s.frame_end = 1, 3
s.render.image_settings.file_format = "PNG"
bpy.ops.wm.save_as_mainfile(filepath=out, compress=False)
`;

test('a Blender chunk of three frames: a bar per frame, each from the time the controller measured for it', { timeout: 150_000 }, async () => {
  const home = join(ui.farm.dir, 'blender-home');
  const scene = join(ui.farm.dir, 'tiny.blend');
  await runBlenderScript(['--python-expr', TINY_SCENE, '--', scene], { home, what: 'tiny scene' });
  const renderNode = await ui.farm.startAgent({ name: 'render-node', tags: ['render'] });
  await ui.service.api['agents.add']({ url: renderNode.url });
  const job = await ui.service.api['jobs.submit']({ type: 'render', scenePath: scene, frames: '1-3', chunkSize: 3, outputDir: join(ui.outputRoot, 'tiny'), tags: ['render'], priority: 50, video: false });
  await ui.farm.waitFor(() => ['succeeded', 'failed'].includes(ui.farm.controller.scheduler.job(job.id)?.summary().state ?? ''), 'the render to end', 120_000);
  const [task] = (await ui.service.api['tasks.list']({ jobId: job.id, offset: 0, limit: 10 })).items;
  assert.equal(task?.state, 'succeeded', task?.error ?? '');
  // The controller measured each frame: three times, the first from the attempt's start, together at most the task's time.
  const times = task.frameTimesMs!;
  assert.equal(times.length, 3);
  assert.ok(times.every((ms) => ms > 0), `frame times ${times.join(', ')}`);
  assert.ok(times.reduce((a, b) => a + b, 0) <= task.endedAt! - task.startedAt!, `frame times ${times.join(', ')} within ${task.endedAt! - task.startedAt!} ms`);

  await openJob(job.id, 'tiny.blend');
  const figure = page.getByRole('figure', { name: /^Render time per frame/ });
  await figure.waitFor({ timeout: 10_000 });
  assert.match(await figure.locator('figcaption').innerText(), /^Render time per frame: 3 of 3 frames finished, median /);
  const bars = figure.getByRole('group', { name: 'Render time per frame: 3 bars' }).getByRole('button');
  assert.deepEqual(await bars.evaluateAll((all) => all.map((b) => b.getAttribute('aria-label')!.replace(/: .*/, ''))), ['frame 1', 'frame 2', 'frame 3']);
  assert.deepEqual(await bars.evaluateAll((all) => all.filter((b) => /chunk average/.test(b.getAttribute('aria-label')!)).length), 0);
  const frame2 = await bars.nth(1).getAttribute('aria-label');
  assert.match(frame2!, new RegExp(`^frame 2: ${formatChartMs(times[1]!).replace('.', '\\.')}(, slow)?$`));
  // A click on a rendered frame's bar opens it in the frame viewer; Escape brings focus back to the bar.
  await bars.nth(2).click();
  const viewer = page.getByRole('dialog', { name: 'Frames of tiny.blend' });
  await viewer.waitFor({ timeout: 5000 });
  await viewer.getByRole('group', { name: /^Frame 3\. / }).waitFor({ timeout: 5000 });
  const viewerViolations = await seriousA11yViolations(page);
  assert.equal(viewerViolations.length, 0, describeViolations('frame viewer opened from the chart', viewerViolations));
  await page.keyboard.press('Escape');
  await viewer.waitFor({ state: 'detached', timeout: 5000 });
  assert.match(await page.evaluate(() => document.activeElement?.getAttribute('aria-label') ?? ''), /^frame 3: /);
  const violations = await seriousA11yViolations(page);
  assert.equal(violations.length, 0, describeViolations('render detail with frame times', violations));
});
