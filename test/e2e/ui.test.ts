import assert from 'node:assert/strict';
import { mkdir, mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { Page } from 'playwright-core';
import { makeTestScene } from '../fixtures/test-scene.js';
import { startAgentProcess, type AgentProcess } from './helpers/agent-process.js';
import { describeViolations, launchBrowser, seriousA11yViolations, type TestBrowser } from './helpers/browser.js';
import { openSubmitDialog } from './helpers/submit-dialog.js';
import { dropFile } from './helpers/drop-file.js';
import { eventually, startUiController, type UiController } from './helpers/ui-controller.js';

// The UI in a real browser against a real `farmhand controller` with its local agent: what a
// user sees and does (submit through the dialog, pause and resume, the keyboard, the nodes
// view, a link without the token) is judged by what the controller's API says afterwards.
// Every view also passes axe-core with no serious or critical problem.

describe('the UI in a browser against farmhand controller', { timeout: 180_000 }, () => {
  let dir: string;
  let scene: string;
  /** Takes far longer than a second to render, so a 1 s task limit fails it on every attempt. */
  let slowScene: string;
  /** Dropped on the page: three tiny frames. */
  let dropScene: string;
  let extraAgent: AgentProcess | undefined;
  let controller: UiController;
  let browser: TestBrowser;
  let page: Page;
  let submittedJobId: string;
  let queuedJobId: string;
  let droppedJobId: string;

  const expectAccessible = async (view: string) => {
    // FARMHAND_E2E_SCREENSHOTS=DIR keeps a picture of every view checked, for looking at by eye.
    const shots = process.env.FARMHAND_E2E_SCREENSHOTS;
    if (shots) await page.screenshot({ path: join(shots, `${view.replace(/[^a-z0-9]+/gi, '-')}.png`), fullPage: true });
    const violations = await seriousA11yViolations(page);
    assert.equal(violations.length, 0, describeViolations(view, violations));
  };
  const row = (jobId: string) => page.locator(`tr[data-job-id="${jobId}"]`);

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'fh-e2e-ui-'));
    await mkdir(join(dir, 'slow'));
    await mkdir(join(dir, 'drop'));
    [scene, slowScene, dropScene, controller, browser] = await Promise.all([
      makeTestScene(dir, { frames: 2, width: 32, height: 18, samples: 1 }),
      makeTestScene(join(dir, 'slow'), { frames: 1, width: 640, height: 360, samples: 4096 }),
      makeTestScene(join(dir, 'drop'), { frames: 3, width: 32, height: 18, samples: 1 }),
      startUiController(dir),
      launchBrowser(),
    ]);
    page = await browser.newPage();
  });

  after(async () => {
    await extraAgent?.kill();
    await browser?.close();
    await controller?.stop();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  test('a page opened without the token, or with a wrong one, says it is not authorised', async () => {
    const stranger = await browser.newPage();
    await stranger.goto(controller.baseUrl);
    await stranger.getByRole('heading', { name: 'Not authorised' }).waitFor({ timeout: 10_000 });
    assert.match(await stranger.locator('main').innerText(), /opened without the API token/);
    await stranger.goto(`${controller.baseUrl}#token=not-the-token`);
    await stranger.reload();
    await stranger.getByRole('heading', { name: 'Not authorised' }).waitFor({ timeout: 10_000 });
    assert.match(await stranger.locator('main').innerText(), /refused/);
    const violations = await seriousA11yViolations(stranger);
    assert.equal(violations.length, 0, describeViolations('not authorised', violations));
  });

  test('the printed link opens the UI authorised, with the token taken out of the address bar', async () => {
    await page.goto(controller.uiUrl);
    await page.getByRole('heading', { name: 'Jobs' }).waitFor({ timeout: 10_000 });
    await page.getByText('No jobs yet.').waitFor({ timeout: 10_000 });
    assert.doesNotMatch(page.url(), /token/);
    await expectAccessible('jobs (empty)');
  });

  test('a job submitted through the dialog shows in the list and reaches succeeded', async () => {
    const dialog = await openSubmitDialog(page);
    await expectAccessible('submit dialog');
    // A relative path is refused before anything is sent, with the field named.
    await dialog.getByLabel('Scene file (.blend)').fill('scene.blend');
    await dialog.getByRole('button', { name: 'Submit', exact: true }).click();
    await dialog.getByText('must be an absolute path').waitFor();
    await dialog.getByLabel('Scene file (.blend)').fill(scene);
    await dialog.getByLabel('Frames', { exact: true }).fill('1-2');
    await dialog.getByLabel('Chunk size', { exact: true }).fill('1');
    await dialog.getByRole('button', { name: 'Submit', exact: true }).click();
    await dialog.waitFor({ state: 'detached', timeout: 30_000 });

    const jobs = await controller.api.call('jobs.list', {});
    assert.equal(jobs.total, 1);
    submittedJobId = jobs.items[0]!.id;
    assert.equal(jobs.items[0]!.taskCount, 2);
    await row(submittedJobId).waitFor();
    await row(submittedJobId).filter({ hasText: 'succeeded' }).waitFor({ timeout: 90_000 });
    assert.match(await row(submittedJobId).innerText(), /2 done/);
    assert.equal((await controller.api.call('jobs.get', { jobId: submittedJobId })).state, 'succeeded');
    await expectAccessible('jobs (with a finished job)');
  });

  test('pause and resume in the UI change the job\'s state in the API', async () => {
    // Tagged for an agent that does not exist, so it stays queued until the test is done with it.
    const job = await controller.api.call('jobs.submit', { type: 'render', scenePath: scene, frames: '1-2', outputDir: join(dir, 'out-queued'), tags: ['e2e-nowhere'] });
    queuedJobId = job.id;
    await row(queuedJobId).waitFor({ timeout: 10_000 });
    await row(queuedJobId).click();
    const toolbar = page.getByRole('toolbar', { name: 'Job actions' });
    await toolbar.getByRole('button', { name: 'Pause', exact: true }).click();
    await eventually('the job to be paused in the API', 10_000, async () => ((await controller.api.call('jobs.get', { jobId: queuedJobId })).state === 'paused' ? true : undefined));
    await row(queuedJobId).filter({ hasText: 'paused' }).waitFor({ timeout: 10_000 });
    await toolbar.getByRole('button', { name: 'Resume', exact: true }).click();
    await eventually('the job to be queued again in the API', 10_000, async () => ((await controller.api.call('jobs.get', { jobId: queuedJobId })).state === 'queued' ? true : undefined));
    await row(queuedJobId).filter({ hasText: 'queued' }).waitFor({ timeout: 10_000 });
  });

  test('the header pauses the whole queue, says so in words, follows the controller, and resumes it', async () => {
    const queue = page.getByRole('banner').getByRole('group', { name: 'Queue' });
    await queue.getByText('Queue running').waitFor({ timeout: 10_000 });
    try {
      await queue.getByRole('button', { name: 'Pause queue' }).click();
      await queue.getByRole('status').filter({ hasText: 'Queue paused: no new task starts' }).waitFor({ timeout: 10_000 });
      assert.equal((await controller.api.call('farm.status', {})).queuePaused, true);
      await expectAccessible('jobs with the queue paused');
      await queue.getByRole('button', { name: 'Resume queue' }).click();
      await queue.getByText('Queue running').waitFor({ timeout: 10_000 });
      assert.equal((await controller.api.call('farm.status', {})).queuePaused, false);
      // Held elsewhere (the tray, `farmhand queue pause`): the header follows, and a fresh page reads it.
      await controller.api.call('farm.pauseQueue', {});
      await queue.getByText('Queue paused').waitFor({ timeout: 10_000 });
      await page.reload();
      await queue.getByText('Queue paused').waitFor({ timeout: 10_000 });
    } finally {
      // The later tests render: never leave the queue held.
      await controller.api.call('farm.resumeQueue', {});
    }
    await queue.getByText('Queue running').waitFor({ timeout: 10_000 });
  });

  test('keyboard: Tab reaches the jobs list, arrows move the selection, Enter opens the job', async () => {
    await page.reload();
    await row(submittedJobId).waitFor({ timeout: 10_000 });
    let inList = false;
    for (let i = 0; i < 40 && !inList; i++) {
      await page.keyboard.press('Tab');
      inList = await page.evaluate(() => document.activeElement?.closest('[role="grid"][aria-label="Jobs"]') !== null && document.activeElement?.tagName === 'TR');
    }
    assert.ok(inList, 'Tab never reached a row of the jobs list');
    // Newest first: the queued job, then the submitted one.
    assert.equal(await page.evaluate(() => document.activeElement?.getAttribute('data-job-id')), queuedJobId);
    await page.keyboard.press('ArrowDown');
    assert.equal(await page.evaluate(() => document.activeElement?.getAttribute('data-job-id')), submittedJobId);
    assert.equal(await row(submittedJobId).getAttribute('aria-selected'), 'true');
    assert.equal(await row(queuedJobId).getAttribute('aria-selected'), 'false');
    await page.keyboard.press('ArrowUp');
    assert.equal(await row(queuedJobId).getAttribute('aria-selected'), 'true');
    await page.keyboard.press('ArrowDown');
    await page.keyboard.press('Enter');
    await page.locator(`section[data-job-id="${submittedJobId}"]`).waitFor({ timeout: 5000 });
    await page.getByRole('heading', { name: 'test-scene', level: 1 }).waitFor();

    // The task grid takes the keyboard too: a task chosen with Enter shows its log.
    const grid = page.getByRole('grid', { name: /^Tasks/ });
    await grid.focus();
    await page.keyboard.press('ArrowDown');
    await page.keyboard.press('Enter');
    const log = page.getByRole('region', { name: /^Log of / });
    await log.waitFor({ timeout: 10_000 });
    await log.locator('.log-line').first().waitFor({ timeout: 10_000 });
    await expectAccessible('job detail with a log');
  });

  test('a job of 10,000 tasks: the task grid renders only the rows in view and the keyboard reaches the last', async () => {
    const big = await controller.api.call('jobs.submit', { type: 'render', scenePath: scene, frames: '1-10000', chunkSize: 1, outputDir: join(dir, 'out-big'), tags: ['e2e-nowhere'] });
    assert.equal(big.taskCount, 10_000);
    try {
      await page.getByRole('button', { name: '← All jobs' }).click();
      await row(big.id).getByRole('button', { name: big.name, exact: true }).click();
      const grid = page.getByRole('grid', { name: 'Tasks (10000)' });
      await grid.waitFor({ timeout: 20_000 });
      assert.equal(await grid.getAttribute('aria-rowcount'), '10001');
      const rendered = await grid.locator('[role="row"]').count();
      assert.ok(rendered < 100, `${rendered} rows in the DOM for 10,000 tasks`);
      await grid.focus();
      await page.keyboard.press('End');
      await grid.locator('[role="row"]', { hasText: 'frame 10000' }).waitFor({ timeout: 5000 });
      const active = await grid.getAttribute('aria-activedescendant');
      assert.match(await page.locator(`[id="${active}"]`).innerText(), /frame 10000/);
    } finally {
      await controller.api.call('jobs.delete', { jobId: big.id });
    }
    // A deleted job's open detail closes by itself: back to the list, without the job.
    await page.getByRole('heading', { name: 'Jobs', level: 1 }).waitFor({ timeout: 10_000 });
    await row(big.id).waitFor({ state: 'detached', timeout: 10_000 });
  });

  test('the nodes view lists the local agent, online, with its Blender version', async () => {
    const agents = await controller.api.call('agents.list', {});
    const local = agents.find((a) => a.blender !== null);
    assert.ok(local, `the local agent reports no Blender: ${JSON.stringify(agents)}`);
    await page.getByRole('navigation', { name: 'Views' }).getByRole('button', { name: 'Nodes' }).click();
    const agentRow = page.locator(`tr[data-agent-id="${local.agentId}"]`);
    await agentRow.waitFor({ timeout: 10_000 });
    const text = await agentRow.innerText();
    assert.match(text, new RegExp(`Blender ${local.blender!.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}`));
    assert.match(text, /online/);
    await expectAccessible('nodes');
  });

  test('a task that failed for good is listed under Failed (1) with its reason and requeued in two clicks', async () => {
    const job = await controller.api.call('jobs.submit', { type: 'render', scenePath: slowScene, outputDir: join(dir, 'out-slow'), taskTimeoutSeconds: 1 });
    await eventually('the slow job to fail (3 attempts of 1 s)', 60_000, async () => ((await controller.api.call('jobs.get', { jobId: job.id })).state === 'failed' ? true : undefined));
    const nav = page.getByRole('navigation', { name: 'Views' });
    await nav.getByRole('button', { name: 'Failed (1)' }).waitFor({ timeout: 10_000 });
    await nav.getByRole('button', { name: 'Failed (1)' }).click();
    await page.getByRole('heading', { name: 'Failed (1)' }).waitFor();
    await page.getByText(/wall-clock limit/).first().waitFor({ timeout: 10_000 });
    await expectAccessible('failed');
    await page.getByRole('button', { name: /^Requeue failed tasks of / }).click();
    await page.getByRole('button', { name: 'Requeue 1 task' }).click();
    await eventually('the job to leave the failed state', 10_000, async () => ((await controller.api.call('jobs.get', { jobId: job.id })).state !== 'failed' ? true : undefined));
    await controller.api.call('jobs.cancel', { jobId: job.id });
    await page.getByText('No failed tasks.').waitFor({ timeout: 10_000 });
  });

  test('several jobs at once: select all, context menu from the keyboard, priority and delete dialogs', async () => {
    await page.getByRole('navigation', { name: 'Views' }).getByRole('button', { name: 'Jobs' }).click();
    await row(queuedJobId).click();
    await page.keyboard.press('Control+A');
    const rows = await page.locator('tr[data-job-id]').count();
    assert.equal(await page.locator('tr[data-job-id][aria-selected="true"]').count(), rows);
    await page.getByText(`${rows} of ${rows} selected`).waitFor();

    // The menu key applies to the whole selection; Pause only applies to the queued job.
    await page.keyboard.press('Shift+F10');
    const menu = page.getByRole('menu', { name: `Actions for ${rows} jobs` });
    await menu.waitFor();
    await expectAccessible('context menu');
    await page.keyboard.press('Enter'); // the first enabled item: Pause
    await eventually('the queued job to be paused', 10_000, async () => ((await controller.api.call('jobs.get', { jobId: queuedJobId })).state === 'paused' ? true : undefined));
    assert.equal((await controller.api.call('jobs.get', { jobId: submittedJobId })).state, 'succeeded');

    // O asks for a priority for the jobs it applies to.
    await row(queuedJobId).focus();
    await page.keyboard.press('o');
    const priority = page.getByRole('dialog', { name: 'Set priority' });
    await priority.waitFor();
    await expectAccessible('priority dialog');
    await priority.getByLabel('Priority (0–100)').fill('70');
    await priority.getByRole('button', { name: 'Set priority' }).click();
    await eventually('the priority to be 70', 10_000, async () => ((await controller.api.call('jobs.get', { jobId: queuedJobId })).priority === 70 ? true : undefined));

    // Delete asks first; Keep is the default, Delete removes the job from the controller.
    await row(queuedJobId).click({ button: 'right' });
    await page.getByRole('menu', { name: /^Actions for / }).getByRole('menuitem', { name: /^Delete…/ }).click();
    const confirm = page.getByRole('dialog', { name: 'Delete jobs' });
    await confirm.waitFor();
    await expectAccessible('delete dialog');
    await confirm.getByRole('button', { name: 'Delete', exact: true }).click();
    await eventually('the job to be deleted', 10_000, async () => ((await controller.api.call('jobs.list', {})).items.some((j) => j.id === queuedJobId) ? undefined : true));
    await row(queuedJobId).waitFor({ state: 'detached', timeout: 10_000 });
  });

  test('the settings view shows the pairing code, copies it, and shows the folders', async () => {
    const info = await controller.api.call('farm.info', {});
    await page.context().grantPermissions(['clipboard-read', 'clipboard-write'], { origin: controller.baseUrl });
    await page.getByRole('navigation', { name: 'Views' }).getByRole('button', { name: 'Settings' }).click();
    await page.getByRole('heading', { name: 'Settings' }).waitFor();
    await page.locator('.pairing-code', { hasText: info.farmKey }).waitFor({ timeout: 10_000 });
    await page.getByText(info.outputRoot, { exact: true }).waitFor();
    await page.getByText(info.dataFolder, { exact: true }).waitFor();
    await page.getByRole('button', { name: 'Copy', exact: true }).click();
    await page.getByText('Copied the pairing code.').waitFor({ timeout: 5000 });
    assert.equal(await page.evaluate(() => navigator.clipboard.readText()), info.farmKey);
    await expectAccessible('settings');
  });

  test('a .blend dropped on the page opens the dialog filled in from the scene; submitted, it renders to succeeded', async () => {
    await page.getByRole('navigation', { name: 'Views' }).getByRole('button', { name: 'Jobs' }).click();
    // A browser has no path for a dropped file: the page uploads it, the controller reads it.
    await dropFile(page, { name: 'drop-scene.blend', bytes: await readFile(dropScene) });
    const dialog = page.getByRole('dialog', { name: 'Submit a job' });
    await dialog.waitFor({ timeout: 30_000 });
    assert.equal(await dialog.getByLabel('Frames', { exact: true }).inputValue(), '1-3');
    assert.match(await dialog.getByLabel('Scene file (.blend)').inputValue(), /\/uploads\/[0-9a-f]{64}\/drop-scene\.blend$/);
    const facts = dialog.getByRole('region', { name: 'About drop-scene.blend' });
    const text = await facts.innerText();
    for (const fact of [/1-3 \(3 frames\)/, /24 fps/, /32 × 18/, /Cycles/, /PNG/]) assert.match(text, fact);
    await expectAccessible('submit dialog filled in from a dropped scene');
    await dialog.getByRole('button', { name: 'Submit', exact: true }).click();
    await dialog.waitFor({ state: 'detached', timeout: 30_000 });
    const job = (await controller.api.call('jobs.list', {})).items.find((j) => j.name === 'drop-scene.blend');
    assert.ok(job, 'the dropped scene became a job named after it');
    await row(job.id).filter({ hasText: 'succeeded' }).waitFor({ timeout: 90_000 });
    assert.match(await row(job.id).innerText(), /3 done|succeeded/);
    const done = await controller.api.call('tasks.list', { jobId: job.id });
    assert.equal(done.items.flatMap((t) => t.outputs).length, 3, 'three frames collected');
    droppedJobId = job.id;
  });

  test('the log viewer shows what Blender printed for a task of the dropped job', async () => {
    await row(droppedJobId).getByRole('button', { name: 'drop-scene.blend', exact: true }).click();
    const grid = page.getByRole('grid', { name: /^Tasks/ });
    await grid.waitFor({ timeout: 10_000 });
    await grid.focus();
    await page.keyboard.press('ArrowDown');
    await page.keyboard.press('Enter');
    const log = page.getByRole('region', { name: /^Log of / });
    await log.waitFor({ timeout: 10_000 });
    await log.locator('.log-line', { hasText: 'Fra:' }).first().waitFor({ timeout: 10_000 });
    await page.getByRole('button', { name: '← All jobs' }).click();
  });

  test('"Open output folder" in a browser copies the job\'s output path and says where the folder is', async () => {
    const { outputDir } = await controller.api.call('jobs.get', { jobId: droppedJobId });
    await page.context().grantPermissions(['clipboard-read', 'clipboard-write'], { origin: controller.baseUrl });
    await page.evaluate(() => navigator.clipboard.writeText('nothing yet'));
    await page.getByRole('navigation', { name: 'Views' }).getByRole('button', { name: 'Jobs' }).click();
    await row(droppedJobId).click();
    await page.getByRole('toolbar', { name: 'Job actions' }).getByRole('button', { name: 'Open output folder' }).click();
    await page.getByText(`Copied ${outputDir} — the folder is on the controller's machine.`).waitFor({ timeout: 5000 });
    assert.equal(await page.evaluate(() => navigator.clipboard.readText()), outputDir);
    await expectAccessible('jobs with the output folder copied');
    // The same from the keyboard (F on the row) and the job's own toolbar.
    await page.evaluate(() => navigator.clipboard.writeText('nothing yet'));
    await row(droppedJobId).focus();
    await page.keyboard.press('f');
    await eventually('the path to be copied by the F key', 5000, async () => ((await page.evaluate(() => navigator.clipboard.readText())) === outputDir ? true : undefined));
    await page.evaluate(() => navigator.clipboard.writeText('nothing yet'));
    await page.keyboard.press('Enter');
    await page.getByRole('toolbar', { name: /^Actions for / }).getByRole('button', { name: 'Open output folder' }).click();
    await eventually('the path to be copied from the job\'s toolbar', 5000, async () => ((await page.evaluate(() => navigator.clipboard.readText())) === outputDir ? true : undefined));
    await page.getByRole('button', { name: '← All jobs' }).click();
  });

  test('a dropped file that is neither a scene nor a video gets a clear notice and no dialog', async () => {
    await dropFile(page, { name: 'notes.txt', bytes: Buffer.from('shot list\n') });
    await page.getByText('"notes.txt" is not a Blender scene or a video, so it cannot be submitted').waitFor({ timeout: 5000 });
    assert.equal(await page.getByRole('dialog', { name: 'Submit a job' }).count(), 0);
  });

  test('a second farmhand-agent added in the nodes view: drain, enable, stop-now asks first; killed, it shows offline', async () => {
    const { farmKey } = await controller.api.call('farm.info', {});
    extraAgent = await startAgentProcess({ dir: join(dir, 'extra-agent'), farmKey, name: 'e2e-extra' });
    await page.getByRole('navigation', { name: 'Views' }).getByRole('button', { name: 'Nodes' }).click();
    await page.getByLabel('Add an agent by address').fill(extraAgent.url);
    await page.getByRole('button', { name: 'Add agent' }).click();
    const agentRow = page.locator('tr[data-agent-id]', { hasText: 'e2e-extra' });
    await agentRow.filter({ hasText: 'online' }).waitFor({ timeout: 20_000 });
    const agentId = await agentRow.getAttribute('data-agent-id');
    await eventually('one row for the added address once the agent answered', 5000, async () => ((await page.locator('tr[data-agent-id]', { hasText: extraAgent!.url }).count()) === 1 ? true : undefined));
    const enabled = async () => (await controller.api.call('agents.list', {})).find((a) => a.agentId === agentId)?.enabled;

    await agentRow.getByRole('button', { name: 'Drain e2e-extra' }).click();
    await eventually('the agent to be drained in the API', 10_000, async () => ((await enabled()) === false ? true : undefined));
    await agentRow.getByText(/drained/).waitFor();
    await agentRow.getByRole('button', { name: 'Enable e2e-extra' }).click();
    await eventually('the agent to be enabled again', 10_000, async () => ((await enabled()) === true ? true : undefined));
    await agentRow.getByRole('button', { name: 'Stop now: e2e-extra…' }).click();
    const confirm = page.getByRole('dialog', { name: 'Stop agent now' });
    await confirm.waitFor();
    await expectAccessible('stop-now dialog');
    await confirm.getByRole('button', { name: 'Keep' }).click();
    assert.equal(await enabled(), true, 'Keep changed nothing');

    await extraAgent.kill();
    await agentRow.filter({ hasText: 'offline' }).waitFor({ timeout: 30_000 });
    assert.equal(await page.locator('tr[data-agent-id]', { hasText: extraAgent.url }).count(), 1, 'still one row for it, offline');
    assert.equal((await controller.api.call('agents.list', {})).find((a) => a.agentId === agentId)?.online, false);
    await expectAccessible('nodes with an offline agent');
  });

  test('a render\'s frames show as labelled placeholders, then as one loaded thumbnail per frame as the render completes', async () => {
    // The queue is held while the job is opened, so every frame is seen waiting first.
    await controller.api.call('farm.pauseQueue', {});
    let jobId: string;
    const grid = page.getByRole('region', { name: 'Frames (3)' });
    try {
      const job = await controller.api.call('jobs.submit', { type: 'render', scenePath: scene, frames: '1-3', chunkSize: 3, outputDir: join(dir, 'out-frames') });
      jobId = job.id;
      await page.getByRole('navigation', { name: 'Views' }).getByRole('button', { name: 'Jobs' }).click();
      await row(jobId).getByRole('button', { name: job.name, exact: true }).click();
      await grid.waitFor({ timeout: 10_000 });
      await grid.getByRole('img', { name: 'Frame 3: not rendered yet (queued)' }).waitFor({ timeout: 10_000 });
      assert.equal(await grid.getByRole('img', { name: /^Frame [1-3]: not rendered yet \(queued\)$/ }).count(), 3);
      assert.equal(await grid.locator('img').count(), 0, 'no picture before a frame is rendered');
      await expectAccessible('job detail with frame placeholders');
    } finally {
      await controller.api.call('farm.resumeQueue', {});
    }
    const started = Date.now();
    await eventually('the frames job to succeed', 90_000, async () => ((await controller.api.call('jobs.get', { jobId: jobId! })).state === 'succeeded' ? true : undefined));
    const rendered = Date.now();
    // Every frame's thumbnail arrives without a reload, from task events alone.
    await page.waitForFunction(() => {
      const images = [...document.querySelectorAll<HTMLImageElement>('[role="region"][aria-label="Frames (3)"] img')];
      return images.length === 3 && images.every((img) => img.complete && img.naturalWidth > 0);
    }, null, { timeout: 15_000 });
    const shownMs = Date.now() - rendered;
    const images = await grid.locator('img').evaluateAll((list) => (list as HTMLImageElement[]).map((img) => ({ alt: img.alt, width: img.naturalWidth, height: img.naturalHeight })));
    // The test scene is 32 × 18: a thumbnail never enlarges a frame.
    assert.deepEqual(images, [1, 2, 3].map((f) => ({ alt: `Frame ${f}`, width: 32, height: 18 })));
    assert.equal(await grid.getByRole('img', { name: /not rendered yet/ }).count(), 0);
    await page.getByText('3 of 3 frames rendered').waitFor();
    console.log(`# render of 3 frames: ${rendered - started} ms; last thumbnail shown ${shownMs} ms after the job succeeded (per the API)`);
    await expectAccessible('job detail with frame thumbnails');
  });

  test('the page reached nothing but the controller and broke no CSP rule', () => {
    assert.deepEqual(browser.problems, []);
  });
});
