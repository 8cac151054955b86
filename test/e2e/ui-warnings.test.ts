import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import type { Page } from 'playwright-core';
import { makeModifierWarningScene, MODIFIER_WARNING } from '../helpers/warning-scene.js';
import { describeViolations, launchBrowser, seriousA11yViolations, type TestBrowser } from './helpers/browser.js';
import { startUiController, type UiController } from './helpers/ui-controller.js';

// A job whose render Blender warned about shows the warning in the UI, in its row and on its
// detail page with the task that warned, against a real `farmhand controller` and real Blender.

let dir: string;
let scene: string;
let controller: UiController;
let browser: TestBrowser;
let page: Page;

before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'fh-e2e-warnings-'));
  [scene, controller, browser] = await Promise.all([
    makeModifierWarningScene(dir, join(dir, 'blender-home')),
    startUiController(dir),
    launchBrowser(),
  ]);
  page = await browser.newPage();
});

after(async () => {
  await browser?.close();
  await controller?.stop();
  if (dir) await rm(dir, { recursive: true, force: true });
});

test('a job with a modifier warning shows it in its row, on its detail page and on the task', { timeout: 120_000 }, async () => {
  const job = await controller.api.call('jobs.submit', { type: 'render', scenePath: scene, frames: '1', outputDir: join(dir, 'out-warned') });
  await page.goto(controller.uiUrl);
  const row = page.locator(`tr[data-job-id="${job.id}"]`);
  await row.filter({ hasText: 'succeeded' }).waitFor({ timeout: 90_000 });
  const note = row.getByRole('note');
  await note.waitFor({ timeout: 10_000 });
  assert.equal((await note.innerText()).trim(), `⚠ 1 warning: ${MODIFIER_WARNING}`);
  const violations = await seriousA11yViolations(page);
  assert.equal(violations.length, 0, describeViolations('jobs with a warning', violations));

  await row.getByRole('button', { name: 'shot.blend', exact: true }).click();
  const detail = page.locator(`section[data-job-id="${job.id}"]`);
  await detail.waitFor({ timeout: 5000 });
  assert.equal((await detail.getByRole('note').first().innerText()).trim(), `⚠ 1 warning: ${MODIFIER_WARNING}`);
  const taskRow = page.getByRole('grid', { name: /^Tasks/ }).getByRole('row').nth(1);
  assert.match(await taskRow.innerText(), /⚠ The modifier "MC" on object "Plane" failed: Vertex count mismatch\./);
  const detailViolations = await seriousA11yViolations(page);
  assert.equal(detailViolations.length, 0, describeViolations('job detail with a warning', detailViolations));
});
