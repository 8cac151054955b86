import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import type { Page } from 'playwright-core';
import type { AgentView } from '../../electron/controller/api/contract.js';
import { createAgent, type Agent } from '../../node-agent/create-agent.js';
import { describeViolations, launchBrowser, seriousA11yViolations, type TestBrowser } from './helpers/browser.js';
import { eventually, startUiController, type UiController } from './helpers/ui-controller.js';

// The nodes view with many agents: a real `farmhand controller` (with its local agent) and 60
// real agents in this process (noop only, no tools to probe, on loopback, no mDNS), added by
// address through the API. Only the rows in view are in the page; the keyboard and scrolling
// reach the last agent; every row has a labelled utilisation sparkline fed by agent events.

const AGENTS = 60;
let dir: string;
let controller: UiController;
let browser: TestBrowser;
let page: Page;
const agents: Agent[] = [];
let listed: AgentView[];

/** The view's order: by name, then id (agents-store.ts). */
function inViewOrder(list: AgentView[]): AgentView[] {
  return [...list].sort((a, b) => a.name.localeCompare(b.name) || a.agentId.localeCompare(b.agentId));
}

before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'fh-e2e-nodes-scale-'));
  [controller, browser] = await Promise.all([startUiController(dir), launchBrowser()]);
  const { farmKey } = await controller.api.call('farm.info', {});
  for (let i = 0; i < AGENTS; i++) {
    const name = `scale-${String(i).padStart(2, '0')}`;
    const agent = await createAgent({ farmKey, dataDir: join(dir, name), name, host: '127.0.0.1', port: 0, mdns: false, allowNoop: true, taskTypes: ['noop'], slots: 2 });
    agents.push(agent);
    await controller.api.call('agents.add', { url: agent.url });
  }
  listed = await eventually(`${AGENTS + 1} agents online`, 60_000, async () => {
    const list = await controller.api.call('agents.list', {});
    return list.filter((a) => a.online).length === AGENTS + 1 ? list : undefined;
  });
  page = await browser.newPage();
  await page.goto(controller.uiUrl);
  await page.getByRole('navigation', { name: 'Views' }).getByRole('button', { name: 'Nodes' }).click();
});

after(async () => {
  await browser?.close();
  for (const a of agents) await a.close().catch(() => undefined);
  await controller?.stop();
  if (dir) await rm(dir, { recursive: true, force: true });
});

const table = () => page.getByRole('table', { name: 'Agents' });
const rows = () => page.locator('tr[data-agent-id]');

test(`with ${AGENTS + 1} agents only the rows in view are in the page, and the table says how many there are`, { timeout: 60_000 }, async () => {
  await rows().first().waitFor({ timeout: 15_000 });
  assert.equal(await table().getAttribute('aria-rowcount'), String(AGENTS + 2), 'the header row and one row per agent');
  const count = await rows().count();
  assert.ok(count > 3 && count < 30, `${count} agent rows in the DOM for ${AGENTS + 1} agents`);
  const first = inViewOrder(listed)[0]!;
  const firstRow = rows().first();
  assert.equal(await firstRow.getAttribute('data-agent-id'), first.agentId);
  assert.equal(await firstRow.getAttribute('aria-rowindex'), '2');
  assert.equal(await page.getByRole('row').first().getAttribute('aria-rowindex'), '1');
});

test('every rendered row has a sparkline labelled with its busy slots and utilisation; axe-clean', { timeout: 60_000 }, async () => {
  const scaleRow = rows().filter({ hasText: 'scale-00' });
  const sparkline = scaleRow.getByRole('img', { name: /^busy / });
  await sparkline.waitFor({ timeout: 10_000 });
  assert.match((await sparkline.getAttribute('aria-label'))!, /^busy 0 of 2 now, 0 % over the last \d+ (s|min)$/);
  assert.equal(await rows().locator('svg[role="img"]').count(), await rows().count(), 'one sparkline per rendered row');
  const violations = await seriousA11yViolations(page);
  assert.equal(violations.length, 0, describeViolations('nodes with 61 agents', violations));
});

test('the keyboard reaches the last agent (End), back to the first (Home), and steps with the arrows', { timeout: 60_000 }, async () => {
  const ordered = inViewOrder(listed);
  const region = page.getByRole('region', { name: /^Agents \(61\)/ });
  await region.focus();
  await page.keyboard.press('ArrowDown');
  const focused = () => page.evaluate(() => ({ id: document.activeElement?.getAttribute('data-agent-id') ?? null, index: document.activeElement?.getAttribute('aria-rowindex') ?? null }));
  assert.deepEqual(await focused(), { id: ordered[0]!.agentId, index: '2' });
  await page.keyboard.press('ArrowDown');
  assert.deepEqual(await focused(), { id: ordered[1]!.agentId, index: '3' });
  await page.keyboard.press('End');
  const last = ordered.at(-1)!;
  await eventually('the last agent\'s row to have focus', 5000, async () => ((await focused()).id === last.agentId ? true : undefined));
  assert.deepEqual(await focused(), { id: last.agentId, index: String(AGENTS + 2) });
  assert.equal(await rows().filter({ hasText: ordered[0]!.name }).count(), 0, 'the first row left the page');
  assert.ok(await page.locator(`tr[data-agent-id="${last.agentId}"]`).isVisible());
  await page.keyboard.press('ArrowUp');
  assert.deepEqual(await focused(), { id: ordered.at(-2)!.agentId, index: String(AGENTS + 1) });
  await page.keyboard.press('Home');
  await eventually('the first agent\'s row to have focus', 5000, async () => ((await focused()).id === ordered[0]!.agentId ? true : undefined));
  // Tab from the row goes into its own controls, not out of the table.
  await page.keyboard.press('Tab');
  assert.equal(await page.evaluate(() => document.activeElement?.closest('tr')?.getAttribute('data-agent-id')), ordered[0]!.agentId);
});

test('scrolling to the bottom renders the last agent, and the focused row stays focused', { timeout: 60_000 }, async () => {
  const [first] = inViewOrder(listed);
  const last = inViewOrder(listed).at(-1)!;
  await page.locator(`tr[data-agent-id="${first!.agentId}"]`).focus();
  await page.locator('.nodes-scroll').evaluate((el) => el.scrollTo({ top: el.scrollHeight }));
  await page.locator(`tr[data-agent-id="${last.agentId}"]`).waitFor({ timeout: 5000 });
  assert.ok((await rows().count()) < 30);
  await page.waitForTimeout(300); // a frame or two for the virtualiser to settle
  assert.equal(await page.evaluate(() => document.activeElement?.getAttribute('data-agent-id')), first!.agentId, 'the focus is still on the first agent\'s row, scrolled out of view');
  await page.locator('.nodes-scroll').evaluate((el) => el.scrollTo({ top: 0 }));
  await rows().filter({ hasText: 'scale-00' }).waitFor({ timeout: 5000 });
});

test('an agent that stops shows "offline now" in its sparkline\'s label, from the agent event', { timeout: 60_000 }, async () => {
  const agent = agents[0]!;
  const sparkline = rows().filter({ hasText: 'scale-00' }).getByRole('img', { name: /now,/ });
  await sparkline.waitFor({ timeout: 5000 });
  await agent.close();
  await eventually('scale-00 to show offline in its sparkline', 30_000, async () => ((await sparkline.getAttribute('aria-label'))?.startsWith('offline now, 0 % over the last') ? true : undefined));
});
