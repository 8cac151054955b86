import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { Page } from 'playwright-core';
import type { JobSummary } from '../../electron/controller/api/contract.js';
import { makeTestScene } from '../fixtures/test-scene.js';
import { describeViolations, launchBrowser, seriousA11yViolations, type TestBrowser } from './helpers/browser.js';
import { eventually, startUiController, type UiController } from './helpers/ui-controller.js';

// Links, history and finding work, in Chromium against a real `farmhand controller` with its
// local agent: every view has an address that opens it fresh (after the data loads, the token
// of a link put away), Back and Forward move between views, focus returns to the row of a
// closed job; the jobs list is searched, filtered and sorted, three jobs of one scene read
// apart, the task table is filtered by state; a farm without discovery does not promise that
// agents appear by themselves. Every view checked is axe-clean.

describe('links, history and finding work in the UI', { timeout: 240_000 }, () => {
  let dir: string;
  let scene: string;
  let controller: UiController;
  let browser: TestBrowser;
  let page: Page;
  let token: string;
  /** Renders (2 frames, one task each) on the local agent. */
  let rendered: JobSummary;
  /** Same scene, tagged gpu: no agent has the tag, so they wait. */
  let waitingAll: JobSummary;
  let waitingOne: JobSummary;

  const expectAccessible = async (p: Page, view: string) => {
    const violations = await seriousA11yViolations(p);
    assert.equal(violations.length, 0, describeViolations(view, violations));
  };
  const row = (jobId: string) => page.locator(`tr[data-job-id="${jobId}"]`);
  const shownRows = async () => page.locator('table[aria-label="Jobs"] tbody tr').evaluateAll((rows) => rows.map((r) => r.getAttribute('data-job-id')));
  const hash = (p: Page = page) => new URL(p.url()).hash;
  const focusedJobRow = () => page.evaluate(() => document.activeElement?.closest('tr[data-job-id]')?.getAttribute('data-job-id') ?? `(focus on ${document.activeElement?.tagName})`);
  const link = (fragment: string) => `${controller.baseUrl}${fragment}${fragment.includes('?') ? '&' : '?'}token=${encodeURIComponent(token)}`;

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'fh-e2e-routes-'));
    [scene, controller, browser] = await Promise.all([
      makeTestScene(dir, { frames: 3, width: 32, height: 18, samples: 1 }),
      startUiController(dir),
      launchBrowser(),
    ]);
    token = decodeURIComponent(/#token=(.+)$/.exec(controller.uiUrl)![1]!);
    rendered = await controller.api.call('jobs.submit', { type: 'render', scenePath: scene, frames: '1-2', chunkSize: 1, outputDir: join(dir, 'out-rendered') });
    waitingAll = await controller.api.call('jobs.submit', { type: 'render', scenePath: scene, frames: '1-3', chunkSize: 1, outputDir: join(dir, 'out-all'), tags: ['gpu'], priority: 30 });
    waitingOne = await controller.api.call('jobs.submit', { type: 'render', scenePath: scene, frames: '2', outputDir: join(dir, 'out-one'), tags: ['gpu'], priority: 80 });
    await eventually('the first job to render', 90_000, async () => ((await controller.api.call('jobs.get', { jobId: rendered.id })).state === 'succeeded' ? true : undefined));
    page = await browser.newPage();
    await page.goto(controller.uiUrl);
    await row(waitingOne.id).waitFor({ timeout: 15_000 });
  });

  after(async () => {
    await browser?.close();
    await controller?.stop();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  test('three jobs of one scene read apart: short id, frames and output in their rows; the waiting ones say why', async () => {
    assert.equal(hash(), '#/jobs', 'the printed link lands on the jobs list, the token gone');
    assert.deepEqual(new Set([rendered.name, waitingAll.name, waitingOne.name]).size, 1, 'one scene');
    const headers = await page.locator('table[aria-label="Jobs"] thead th').allInnerTexts();
    assert.ok(headers.some((h) => /^Frames/.test(h.trim())) && headers.some((h) => /^Output/.test(h.trim())), headers.join(' | '));
    const texts = await Promise.all([rendered, waitingAll, waitingOne].map((j) => row(j.id).innerText()));
    const ids = texts.map((t) => /#([0-9a-f]{6})/.exec(t)?.[1]);
    assert.deepEqual(ids, [rendered.id.slice(-6), waitingAll.id.slice(-6), waitingOne.id.slice(-6)]);
    assert.equal(new Set(ids).size, 3, 'three different short ids');
    assert.match(texts[0]!, /1-2 \(2\)/);
    assert.match(texts[1]!, /1-3 \(3\)/);
    assert.match(texts[2]!, /\t2\t/, texts[2]);
    assert.match(texts[0]!, /out-rendered/);
    assert.match(texts[1]!, /out-all/);
    assert.match(texts[2]!, /out-one/);
    for (const j of [waitingAll, waitingOne]) {
      await row(j.id).locator('[data-waiting="true"]').filter({ hasText: 'waiting: no agent has tag gpu.' }).waitFor({ timeout: 15_000 });
    }
    await expectAccessible(page, 'jobs list with frames and output');
  });

  test('search (name, id, tag), the state filter and sorting by a column, by keyboard, each kept in the address', async () => {
    const search = page.getByRole('searchbox', { name: 'Search jobs' });
    await search.focus();
    await page.keyboard.type('gpu');
    await eventually('two jobs tagged gpu', 5000, async () => ((await shownRows()).length === 2 ? true : undefined));
    assert.deepEqual(await shownRows(), [waitingOne.id, waitingAll.id]);
    await page.getByRole('status').filter({ hasText: '2 of 3 jobs shown' }).waitFor();
    assert.equal(hash(), '#/jobs?q=gpu');
    await search.fill(waitingAll.id.slice(-6));
    await eventually('one job by its id', 5000, async () => ((await shownRows()).length === 1 ? true : undefined));
    assert.deepEqual(await shownRows(), [waitingAll.id]);
    await search.fill('no-such-job');
    await page.getByRole('status').filter({ hasText: 'No job of 3 matches.' }).waitFor();
    await expectAccessible(page, 'jobs list, nothing matches');
    await search.fill('');

    const state = page.getByLabel('State', { exact: true });
    await state.focus();
    await state.selectOption('succeeded');
    await eventually('only the succeeded job', 5000, async () => ((await shownRows()).join() === rendered.id ? true : undefined));
    assert.equal(hash(), '#/jobs?state=succeeded');
    await state.selectOption('waiting');
    await eventually('the two waiting jobs', 5000, async () => ((await shownRows()).length === 2 ? true : undefined));
    await state.selectOption('all');

    const priority = page.getByRole('button', { name: 'Priority', exact: true });
    await priority.focus();
    await page.keyboard.press('Enter');
    await eventually('highest priority first', 5000, async () => ((await shownRows()).join() === [waitingOne.id, rendered.id, waitingAll.id].join() ? true : undefined));
    assert.equal(await page.locator('th', { has: priority }).getAttribute('aria-sort'), 'descending');
    assert.equal(hash(), '#/jobs?sort=priority&dir=desc');
    await page.keyboard.press('Enter');
    await eventually('lowest priority first', 5000, async () => ((await shownRows()).join() === [waitingAll.id, rendered.id, waitingOne.id].join() ? true : undefined));
    assert.equal(await page.locator('th', { has: priority }).getAttribute('aria-sort'), 'ascending');
    await expectAccessible(page, 'jobs list sorted by priority');

    // The address of a searched, sorted list opens it so in a fresh page.
    const other = await browser.newPage();
    await other.goto(link('#/jobs?q=gpu&sort=priority&dir=asc'));
    await other.locator(`tr[data-job-id="${waitingAll.id}"]`).waitFor({ timeout: 15_000 });
    assert.deepEqual(await other.locator('table[aria-label="Jobs"] tbody tr').evaluateAll((rows) => rows.map((r) => r.getAttribute('data-job-id'))), [waitingAll.id, waitingOne.id]);
    assert.equal(await other.getByRole('searchbox', { name: 'Search jobs' }).inputValue(), 'gpu');
    assert.equal(hash(other), '#/jobs?q=gpu&sort=priority&dir=asc', 'the token is put away, the view kept');
    await other.close();

    await page.getByRole('button', { name: 'Show all, newest first' }).click();
    assert.equal(hash(), '#/jobs');
    assert.deepEqual(await shownRows(), [waitingOne.id, waitingAll.id, rendered.id]);
  });

  test('a link opens a job, a task and a log line for someone else, in a fresh page, once the data has loaded', async () => {
    const tasks = (await controller.api.call('tasks.list', { jobId: rendered.id })).items;
    const second = tasks[1]!;
    const log = await controller.api.call('tasks.log', { taskId: second.id, attempt: 1 });
    assert.ok(log.totalLines >= 5, `the log has ${log.totalLines} lines`);
    const fresh = await browser.newPage();
    try {
      await fresh.goto(link(`#/jobs/${rendered.id}`));
      await fresh.getByRole('heading', { level: 1, name: rendered.name }).waitFor({ timeout: 15_000 });
      assert.equal(await fresh.locator('.job-detail').getAttribute('data-job-id'), rendered.id);
      assert.equal(hash(fresh), `#/jobs/${rendered.id}`, 'the token is out of the address bar');

      await fresh.goto(`${controller.baseUrl}#/jobs/${rendered.id}/tasks/${second.id}`);
      await fresh.reload();
      const grid = fresh.getByRole('grid', { name: /^Tasks/ });
      await grid.locator('[role="row"][aria-selected="true"]').filter({ hasText: second.label }).waitFor({ timeout: 15_000 });
      await fresh.getByRole('region', { name: `Log of ${second.label}, attempt 1` }).waitFor({ timeout: 15_000 });

      await fresh.goto(`${controller.baseUrl}#/jobs/${rendered.id}/tasks/${second.id}/attempts/1/log/4`);
      await fresh.reload();
      const marked = fresh.locator('.log-line[aria-current="true"]');
      await marked.waitFor({ timeout: 15_000 });
      assert.equal(await marked.getAttribute('data-line'), '4');
      assert.equal((await marked.innerText()).replace(/^4/, '').trim(), log.lines[3 - log.firstLine]!.trim());

      // Marking another line (a click, or a search's match) puts it in the address to share.
      await fresh.locator('.log-line[data-line="2"]').click();
      assert.equal(hash(fresh), `#/jobs/${rendered.id}/tasks/${second.id}/attempts/1/log/2`);
      await expectAccessible(fresh, 'job detail opened by a link to a log line');

      await fresh.goto(link('#/jobs/jnosuchjob000000'));
      await fresh.getByRole('heading', { name: 'Job not found' }).waitFor({ timeout: 15_000 });
    } finally {
      await fresh.close();
    }
  });

  test('Back and Forward move between views, jobs and tasks; closing a job returns focus to its row', async () => {
    await row(waitingAll.id).click();
    await page.keyboard.press('Enter');
    await page.getByRole('heading', { level: 1, name: waitingAll.name }).waitFor();
    assert.equal(hash(), `#/jobs/${waitingAll.id}`);
    await page.getByRole('button', { name: '← All jobs' }).click();
    await page.getByRole('heading', { level: 1, name: 'Jobs' }).waitFor();
    await eventually('focus on the closed job\'s row', 5000, async () => ((await focusedJobRow()) === waitingAll.id ? true : undefined));

    await page.goBack();
    await page.getByRole('heading', { level: 1, name: waitingAll.name }).waitFor();
    assert.equal(hash(), `#/jobs/${waitingAll.id}`);
    await page.goBack();
    await page.getByRole('heading', { level: 1, name: 'Jobs' }).waitFor();
    await eventually('focus back on the row after Back', 5000, async () => ((await focusedJobRow()) === waitingAll.id ? true : undefined));
    await page.goForward();
    await page.getByRole('heading', { level: 1, name: waitingAll.name }).waitFor();

    // A task chosen is a place of its own: Back un-chooses it.
    await page.getByRole('button', { name: '← All jobs' }).click();
    await row(rendered.id).locator('button').first().click();
    await page.getByRole('heading', { level: 1, name: rendered.name }).waitFor();
    const grid = page.getByRole('grid', { name: /^Tasks/ });
    await grid.locator('[role="row"]').nth(1).click();
    await page.getByRole('region', { name: /^Log of/ }).waitFor();
    assert.match(hash(), new RegExp(`^#/jobs/${rendered.id}/tasks/[^/]+$`));
    await page.goBack();
    await page.getByText('Choose a task above').waitFor();
    assert.equal(hash(), `#/jobs/${rendered.id}`);

    // The views in the navigation.
    await page.getByRole('navigation', { name: 'Views' }).getByRole('button', { name: 'Nodes' }).click();
    await page.getByRole('heading', { level: 1, name: 'Nodes' }).waitFor();
    assert.equal(hash(), '#/nodes');
    await page.getByRole('navigation', { name: 'Views' }).getByRole('button', { name: /^Failed/ }).click();
    assert.equal(hash(), '#/failed');
    await page.goBack();
    await page.getByRole('heading', { level: 1, name: 'Nodes' }).waitFor();
    await page.goBack();
    await page.getByRole('heading', { level: 1, name: rendered.name }).waitFor();
    await expectAccessible(page, 'job detail reached with Back');
  });

  test('the task table shows the tasks of a chosen state, with counts, kept in the address', async () => {
    await page.goto(`${controller.baseUrl}#/jobs/${waitingAll.id}`);
    await page.getByRole('heading', { level: 1, name: waitingAll.name }).waitFor();
    const filter = page.getByLabel('Show tasks');
    const grid = page.getByRole('grid', { name: /^Tasks/ });
    await grid.locator('[role="row"]').nth(3).waitFor({ timeout: 15_000 });
    assert.equal(await grid.getAttribute('aria-label'), 'Tasks (3)');
    const options = await filter.locator('option').allInnerTexts();
    assert.ok(options.includes('Queued (3)') && options.includes('Failed (0)') && options.includes('All tasks (3)'), options.join(' | '));
    await filter.focus();
    await filter.selectOption('failed');
    await eventually('no rows', 5000, async () => ((await grid.getAttribute('aria-label')) === 'Tasks (0)' ? true : undefined));
    assert.equal(hash(), `#/jobs/${waitingAll.id}?tasks=failed`);
    await page.getByText('0 of 3 tasks shown').waitFor();
    await filter.selectOption('queued');
    await eventually('three queued rows', 5000, async () => ((await grid.getAttribute('aria-label')) === 'Tasks (3)' ? true : undefined));
    assert.equal(await grid.locator('[role="row"]').count(), 4, 'header and three rows');
    await expectAccessible(page, 'task table filtered by state');
    await page.reload();
    await page.getByRole('grid', { name: 'Tasks (3)' }).waitFor({ timeout: 15_000 });
    assert.equal(await page.getByLabel('Show tasks').inputValue(), 'queued');
  });

  test('with discovery off and no agent, the empty Nodes view says to add agents by address, not that they appear by themselves', async () => {
    const bare = await startUiController(join(dir, 'bare'), { args: ['--no-local-agent'] });
    const other = await browser.newPage();
    try {
      assert.equal((await bare.api.call('farm.info', {})).discovery, false);
      const bareToken = decodeURIComponent(/#token=(.+)$/.exec(bare.uiUrl)![1]!);
      await other.goto(`${bare.baseUrl}#/nodes?token=${encodeURIComponent(bareToken)}`);
      await other.getByRole('heading', { level: 1, name: 'Nodes' }).waitFor({ timeout: 15_000 });
      await other.getByText('No agents yet').waitFor({ timeout: 15_000 });
      const text = await other.locator('main').innerText();
      await other.getByText('Discovery is off').waitFor({ timeout: 15_000 });
      const after = await other.locator('main').innerText();
      assert.match(after, /Discovery is off \(the controller was started with --no-discover\), so agents do not appear by themselves: add each one by address above\./);
      assert.doesNotMatch(after, /Agents on this network appear by themselves/);
      assert.ok(text.length > 0);
      await expectAccessible(other, 'empty nodes view, discovery off');
    } finally {
      await other.close();
      await bare.stop();
    }
  });
});
