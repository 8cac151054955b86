import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import type { Page } from 'playwright-core';
import { makeFaultyScene } from '../helpers/scene-fault-scenes.js';
import { describeViolations, launchBrowser, seriousA11yViolations, type TestBrowser } from './helpers/browser.js';
import { startInProcessUiFarm, type InProcessUiFarm } from './helpers/in-process-ui-farm.js';

// Fail fast in Debian's Chromium, against a real controller and two real agents rendering with
// real Blender (in this process, so each agent can be named and its attempts counted): a scene
// without a camera fails the first attempt on each agent, the job pauses, and the jobs list and
// the job's page show the one sentence with the fix, the row's menu and the page's toolbar offer
// Resume, and pressing it retries (two more attempts, paused again with the same sentence).

const SENTENCE = 'Blender cannot render "nocam.blend": no camera is set for the scene; add a camera, make it the scene\'s camera (Scene properties), save the scene and submit it again';
const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
const REASON = new RegExp(`^${escape(SENTENCE)} \\(the first attempts on agents (ui-ff-a and ui-ff-b|ui-ff-b and ui-ff-a) failed the same way\\)\\.$`);

let dir: string;
let scene: string;
let ui: InProcessUiFarm;
let browser: TestBrowser;
let page: Page;
let started = 0;
const countAttempts = (line: string) => { if (/^task \S+ attempt \d+ started/.test(line)) started++; };

before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'fh-e2e-fail-fast-'));
  [scene, ui, browser] = await Promise.all([
    makeFaultyScene(dir, 'no-camera', 'nocam.blend'),
    startInProcessUiFarm({ agents: [{ name: 'ui-ff-a', slots: 1, log: countAttempts }, { name: 'ui-ff-b', slots: 1, log: countAttempts }] }),
    launchBrowser(),
  ]);
  page = await browser.newPage();
  await ui.farm.waitFor(() => ui.farm.controller.agents().filter((a) => a.online).length === 2, 'both agents online', 20_000);
});

after(async () => {
  await browser?.close();
  await ui?.close();
  if (dir) await rm(dir, { recursive: true, force: true });
});

async function expectAccessible(view: string): Promise<void> {
  const violations = await seriousA11yViolations(page);
  assert.equal(violations.length, 0, describeViolations(view, violations));
  assert.deepEqual(browser.problems, []);
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

test('a job paused by fail fast shows its reason and fix on the row and the job page, offers Resume, and Resume retries', { timeout: 180_000 }, async () => {
  const submitted = await ui.service.api['jobs.submit']({ type: 'render', scenePath: scene, frames: '1-4', chunkSize: 1, outputDir: join(dir, 'out'), priority: 50, tags: [], video: false });
  const paused = () => ui.farm.controller.scheduler.job(submitted.id)?.state === 'paused';
  await ui.farm.waitFor(paused, 'the job paused by fail fast', 60_000);
  await sleep(1000); // time for a third attempt, were one to start
  assert.equal(started, 2, 'one attempt on each agent');
  const job = await ui.service.api['jobs.get']({ jobId: submitted.id });
  assert.equal(job.pauseCause, 'fail-fast');
  assert.match(job.pauseReason ?? '', REASON);

  // The jobs list: the row says paused and gives the sentence with its fix.
  await page.goto(ui.uiUrl);
  await page.getByRole('heading', { name: 'Jobs' }).waitFor({ timeout: 10_000 });
  const row = page.locator(`tr[data-job-id="${submitted.id}"]`);
  await row.waitFor({ timeout: 10_000 });
  assert.match(await row.locator('.state').innerText(), /paused$/);
  assert.equal(await row.locator('.pause-reason').innerText(), job.pauseReason);
  assert.equal(await row.locator('.pause-reason').isVisible(), true);
  await expectAccessible('jobs list with a job paused by fail fast');
  // The row's menu offers Resume.
  await row.getByRole('button', { name: 'Actions for nocam.blend' }).click();
  const menu = page.getByRole('menu');
  await menu.waitFor({ timeout: 5000 });
  assert.equal(await menu.getByRole('menuitem', { name: /^Resume/ }).isVisible(), true);
  await expectAccessible('the row\'s menu of a paused job');
  await page.keyboard.press('Escape');
  await menu.waitFor({ state: 'detached', timeout: 5000 });

  // The job's page: "Paused:" with the sentence and the fix, and how to retry; Resume in the toolbar.
  await row.getByRole('button', { name: 'nocam.blend', exact: true }).click();
  const detail = page.locator(`section[data-job-id="${submitted.id}"]`);
  await detail.waitFor({ timeout: 10_000 });
  const status = detail.locator('.pause-reason[role="status"]');
  assert.equal(await status.innerText(), `Paused: ${job.pauseReason} Resume the job to try again.`);
  const resume = detail.getByRole('toolbar', { name: 'Actions for nocam.blend' }).getByRole('button', { name: 'Resume', exact: true });
  assert.equal(await resume.isVisible(), true);
  await expectAccessible('job page of a job paused by fail fast');

  // Resume retries: two more first attempts, then paused again with the same sentence on the page.
  await resume.click();
  await ui.farm.waitFor(() => started >= 3, 'a retry after Resume', 30_000);
  await ui.farm.waitFor(() => started >= 4 && paused(), 'paused again after the retries', 60_000);
  await sleep(1000);
  assert.equal(started, 4);
  const again = await ui.service.api['jobs.get']({ jobId: submitted.id });
  assert.match(again.pauseReason ?? '', REASON);
  await detail.locator('.pause-reason[role="status"]').waitFor({ timeout: 10_000 });
  assert.equal(await detail.locator('.pause-reason[role="status"]').innerText(), `Paused: ${again.pauseReason} Resume the job to try again.`);
  await expectAccessible('job page paused again');
});
