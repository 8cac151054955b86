import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import type { Page } from 'playwright-core';
import { makeTestScene } from '../fixtures/test-scene.js';
import { describeViolations, launchBrowser, seriousA11yViolations, type TestBrowser } from './helpers/browser.js';
import { openSubmitDialog } from './helpers/submit-dialog.js';
import { eventually, startUiController, type UiController } from './helpers/ui-controller.js';

// Preview first in the submit dialog, against a real `farmhand controller` (its local agent
// renders with real Blender) in Debian's Chromium: the checkbox is on by default, the job it
// submits starts with single-frame preview tasks (first, last, middle), and the frame grid
// shows those frames in their places in the shot while the rest are not rendered yet.

let dir: string;
let scene: string;
let controller: UiController;
let browser: TestBrowser;
let page: Page;

before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'fh-e2e-preview-'));
  scene = await makeTestScene(dir, { frames: 24, width: 32, height: 18, samples: 1 });
  controller = await startUiController(dir);
  browser = await launchBrowser();
  page = await browser.newPage();
  await page.goto(controller.uiUrl);
  await page.getByRole('heading', { name: 'Jobs' }).waitFor({ timeout: 10_000 });
});

after(async () => {
  await browser?.close();
  await controller?.stop();
  if (dir) await rm(dir, { recursive: true, force: true });
});

async function expectAccessible(view: string): Promise<void> {
  const violations = await seriousA11yViolations(page);
  assert.equal(violations.length, 0, describeViolations(view, violations));
  assert.deepEqual(browser.problems, []);
}

test('the dialog\'s "Preview first" is on by default; the job renders first, last and middle before the rest, and the grid shows them in place', { timeout: 180_000 }, async () => {
  const dialog = await openSubmitDialog(page);
  await dialog.getByLabel('Scene file (.blend)').fill(scene);
  const preview = dialog.getByRole('checkbox', { name: /^Preview first: render single frames across the shot/ });
  assert.equal(await preview.isChecked(), true, 'on by default in the dialog');
  assert.equal(await preview.isEnabled(), true);
  await expectAccessible('submit dialog with preview first');
  await dialog.getByLabel('Frames', { exact: true }).fill('1-24');
  // Small chunks for the rest, so holding the job after the preview leaves the end of the shot unrendered.
  await dialog.getByLabel('Chunk size', { exact: true }).fill('3');
  await dialog.getByRole('button', { name: 'Submit', exact: true }).click();
  await dialog.waitFor({ state: 'detached', timeout: 30_000 });

  const job = (await controller.api.call('jobs.list', {})).items.find((j) => j.name === 'test-scene.blend');
  assert.ok(job, 'the job was submitted');
  const tasks = (await controller.api.call('tasks.list', { jobId: job.id })).items;
  // 24 frames: an eighth of the shot is 3 preview frames, at the lowest indices.
  assert.deepEqual(tasks.filter((t) => t.preview).map((t) => [t.index, t.label]), [[0, 'frame 1'], [1, 'frame 24'], [2, 'frame 13']]);
  assert.ok(tasks.slice(3).every((t) => t.preview === undefined && t.label.startsWith('frames ')));

  // The three preview frames first; then hold the job, so the end of the shot stays unrendered.
  await eventually('the preview frames to be rendered', 120_000, async () => {
    const now = (await controller.api.call('tasks.list', { jobId: job.id })).items;
    return now.slice(0, 3).every((t) => t.state === 'succeeded') ? now : undefined;
  });
  await controller.api.call('jobs.pause', { jobId: job.id });
  await eventually('nothing running', 60_000, async () => ((await controller.api.call('jobs.get', { jobId: job.id })).runningCount === 0 ? true : undefined));

  await page.locator(`tr[data-job-id="${job.id}"]`).getByRole('button', { name: 'test-scene.blend', exact: true }).click();
  const grid = page.getByRole('region', { name: 'Frames (24)' });
  await grid.waitFor({ timeout: 10_000 });
  await grid.getByRole('button', { name: 'Frame 24', exact: true }).waitFor({ timeout: 15_000 });
  // The grid is the shot in order, not the tasks': 1, 2, 3, … with 13 and 24 rendered in their places.
  const order = (await grid.locator('figure.frame-cell').evaluateAll((cells) => cells.map((c) => Number(c.getAttribute('data-frame')))));
  assert.deepEqual(order, Array.from({ length: order.length }, (_, i) => i + 1), `cells in view: ${order.join(',')}`);
  for (const frame of [1, 13, 24]) assert.equal(await grid.getByRole('button', { name: `Frame ${frame}`, exact: true }).count(), 1, `frame ${frame} rendered`);
  assert.equal(await grid.getByRole('img', { name: /^Frame 23: not rendered yet/ }).count(), 1, 'the end of the shot is not rendered yet');
  await expectAccessible('job detail of a paused preview-first job');
});
