import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { Page } from 'playwright-core';
import { makeTestScene } from '../fixtures/test-scene.js';
import { startAgentProcess, type AgentProcess } from './helpers/agent-process.js';
import { describeViolations, launchBrowser, seriousA11yViolations, type TestBrowser } from './helpers/browser.js';
import { eventually, startUiController, type UiController } from './helpers/ui-controller.js';

// The numbers a wrangler reads first (issue 18), in Chromium against a real `farmhand
// controller`, its local agent and a `farmhand-agent` process, rendering a tiny Blender scene
// one frame a task: each node's busy slots and current task (during every task's start-up,
// and after the job, drained or not), the header's "2 agents · 1 busy", the job's "Agents
// busy", and an ETA that is there and does not jump. Two pages watch at once, sampled every
// 40 ms: one on the Nodes view, one on the Jobs view.

interface NodeSample { id: string; slots: string; task: string }
interface Sample { t: number; header: string | null; nodes: NodeSample[]; eta: string | null; jobBusy: string | null; progress: string | null }

/**
 * Installs a sampler in the page: every 40 ms, what the header, the nodes table and the first
 * job row read. Given as source text: the test's own functions are transpiled with helpers
 * the page does not have.
 */
const SAMPLER = `(() => {
  window.samples = [];
  const column = (name) => [...document.querySelectorAll('thead th')].findIndex((th) => th.textContent.trim() === name);
  const cells = (row) => [...row.querySelectorAll(':scope > td, :scope > th')];
  window.sampler = setInterval(() => {
    const slotsAt = column('Slots'), taskAt = column('Current task'), busyAt = column('Agents busy');
    const nodes = [...document.querySelectorAll('tr[data-agent-id]')].map((r) => ({ id: r.dataset.agentId, slots: cells(r)[slotsAt]?.innerText ?? '', task: cells(r)[taskAt]?.innerText ?? '' }));
    const job = document.querySelector('tr[data-job-id]');
    window.samples.push({
      t: Date.now(),
      header: document.querySelector('[data-farm-counts]')?.textContent ?? null,
      nodes,
      eta: job?.querySelector('[data-eta]')?.textContent ?? null,
      jobBusy: job && busyAt >= 0 ? (cells(job)[busyAt]?.innerText ?? null) : null,
      progress: job?.querySelector('.progress-text')?.textContent ?? null,
    });
  }, 40);
})()`;

async function startSampling(page: Page): Promise<void> {
  await page.evaluate(SAMPLER);
}

async function stopSampling(page: Page): Promise<Sample[]> {
  return (await page.evaluate('clearInterval(window.sampler), window.samples')) as Sample[];
}

const busyOf = (n: NodeSample) => Number(/(\d+) of \d+ busy/.exec(n.slots)?.[1] ?? NaN);
/** The tasks a node's "Current task" names ("frames 3 of numbers"), none when it reads idle. */
const tasksOf = (n: NodeSample) => (n.task.trim() === 'idle' ? [] : n.task.split('\n').map((l) => l.trim()).filter(Boolean));

/** "12–40 s", "30 s – 3 min", "about 30 s", "1 h 5 min" → [low, high] in seconds. */
function parseRange(text: string): [number, number] {
  const seconds = (part: string, unit?: string) => {
    const m = /^(\d+)\s*(s|min|h)?(?:\s+(\d+)\s*min)?$/.exec(part.trim());
    if (!m) throw new Error(`not a duration: "${part}"`);
    const u = m[2] ?? unit;
    return Number(m[1]) * (u === 'h' ? 3600 : u === 'min' ? 60 : 1) + Number(m[3] ?? 0) * 60;
  };
  const about = /^about (.+)$/.exec(text);
  if (about) return [seconds(about[1]!), seconds(about[1]!)];
  const [lo, hi] = text.split('–').map((s) => s.trim());
  const unit = /(s|min|h)$/.exec(hi!)?.[1];
  return [seconds(lo!, /\D$/.test(lo!) ? undefined : unit), seconds(hi!)];
}

describe('the numbers in the header, the jobs list and the nodes view', { timeout: 300_000 }, () => {
  let dir: string;
  let scene: string;
  let controller: UiController;
  let browser: TestBrowser;
  let agentB: AgentProcess;
  let nodesPage: Page;
  let jobsPage: Page;
  const agentIds = { local: '', b: '' };

  const expectAccessible = async (page: Page, view: string) => {
    const violations = await seriousA11yViolations(page);
    assert.equal(violations.length, 0, describeViolations(view, violations));
  };

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'fh-e2e-numbers-'));
    [scene, controller, browser] = await Promise.all([makeTestScene(dir, { frames: 16, width: 32, height: 18, samples: 1 }), startUiController(dir), launchBrowser()]);
    const { farmKey } = await controller.api.call('farm.info', {});
    agentB = await startAgentProcess({ dir: join(dir, 'agent-b'), farmKey, name: 'e2e-numbers-b' });
    await controller.api.call('agents.add', { url: agentB.url });
    const agents = await eventually('both agents online with Blender', 60_000, async () => {
      const list = await controller.api.call('agents.list', {});
      const ready = list.filter((a) => a.online && a.taskTypes.includes('blender'));
      return ready.length === 2 ? ready : undefined;
    });
    agentIds.b = agents.find((a) => a.name === 'e2e-numbers-b')!.agentId;
    agentIds.local = agents.find((a) => a.agentId !== agentIds.b)!.agentId;
    [nodesPage, jobsPage] = [await browser.newPage(), await browser.newPage()];
    for (const page of [nodesPage, jobsPage]) await page.goto(controller.uiUrl);
    await nodesPage.getByRole('navigation', { name: 'Views' }).getByRole('button', { name: 'Nodes' }).click();
    await nodesPage.getByRole('heading', { name: 'Nodes' }).waitFor();
  });

  after(async () => {
    await browser?.close();
    await agentB?.kill();
    await controller?.stop();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  test('the header shows the agents online and busy: "2 agents · 0 busy" on an idle farm', async () => {
    for (const page of [nodesPage, jobsPage]) await page.getByRole('banner').getByText('2 agents · 0 busy', { exact: true }).waitFor({ timeout: 10_000 });
    await expectAccessible(nodesPage, 'nodes view with the farm counts');
  });

  test('during a job: every task shows on its node from its start-up, busy slots match the tasks shown, the header and "Agents busy" follow, the ETA is there and never jumps', async (t) => {
    await Promise.all([startSampling(nodesPage), startSampling(jobsPage)]);
    const job = await controller.api.call('jobs.submit', { type: 'render', scenePath: scene, frames: '1-16', chunkSize: 1, outputDir: join(dir, 'out') });
    // The controller's own view of each task's start-up (assigned, before Blender reports), polled.
    const assignedSeen = new Map<string, { label: string; first: number; last: number }>();
    for (let i = 0; i < 3000; i++) {
      const t = Date.now();
      const { items } = await controller.api.call('tasks.list', { jobId: job.id, offset: 0, limit: 100 });
      for (const task of items.filter((x) => x.state === 'assigned')) {
        const seen = assignedSeen.get(task.id) ?? { label: task.label, first: t, last: t };
        seen.last = t;
        assignedSeen.set(task.id, seen);
      }
      if (items.every((x) => x.state === 'succeeded')) break;
      if (items.some((x) => x.state === 'failed' || x.state === 'canceled')) throw new Error(`a task did not render: ${JSON.stringify(items.find((x) => x.error)?.error)}`);
      await new Promise((r) => setTimeout(r, 50));
    }
    assert.equal((await controller.api.call('jobs.get', { jobId: job.id })).state, 'succeeded');
    await nodesPage.waitForTimeout(500);
    const [nodes, jobs] = await Promise.all([stopSampling(nodesPage), stopSampling(jobsPage)]);
    assert.ok(nodes.length > 50 && jobs.length > 50, `sampled ${nodes.length} and ${jobs.length} times`);

    // Start-up: a task the controller had assigned for a while shows as its node's current task meanwhile.
    const startUps = [...assignedSeen.values()].filter((s) => s.last - s.first >= 150);
    assert.ok(startUps.length >= 3, `${startUps.length} start-ups long enough to watch (${assignedSeen.size} seen)`);
    const unseen = startUps.filter((s) => !nodes.some((n) => n.t >= s.first && n.t <= s.last + 100 && n.nodes.some((row) => tasksOf(row).some((line) => line.startsWith(`${s.label} of`)))));
    assert.deepEqual(unseen.map((s) => s.label), [], 'every start-up shows its task as the node\'s current task');

    // Each node's busy slots and current task agree, and the header counts the busy nodes, in every sample.
    const mismatched = nodes.filter((s) => s.nodes.some((n) => busyOf(n) !== tasksOf(n).length));
    assert.ok(mismatched.length <= nodes.length * 0.01, `${mismatched.length} of ${nodes.length} samples disagree, e.g. ${JSON.stringify(mismatched[0])}`);
    const headerOff = nodes.filter((s) => s.header !== `2 agents · ${s.nodes.filter((n) => busyOf(n) > 0).length} busy`);
    assert.ok(headerOff.length <= nodes.length * 0.01, `${headerOff.length} samples where the header disagrees, e.g. ${JSON.stringify(headerOff[0])}`);
    for (const id of [agentIds.local, agentIds.b]) assert.ok(nodes.some((s) => s.nodes.some((n) => n.id === id && busyOf(n) === 1 && tasksOf(n).length === 1)), `${id} was seen busy with a task`);
    assert.ok(nodes.some((s) => s.header === '2 agents · 2 busy'), 'the header read "2 agents · 2 busy"');

    // "Agents busy" on the job: never 0 while the job's work is spread (before its last tasks).
    const running = jobs.filter((s) => s.jobBusy !== null && s.progress !== null && parseFloat(s.progress) > 0 && parseFloat(s.progress) < 75);
    assert.ok(running.length > 20, `${running.length} samples of the job running`);
    // (One task's end and the next one's start may reach the page in two updates, 100 ms apart.)
    assert.deepEqual(running.filter((s) => s.jobBusy !== '1' && s.jobBusy !== '2').map((s) => s.jobBusy), [], 'one or two agents busy on the job, never none');
    const both = running.filter((s) => s.jobBusy === '2').length;
    assert.ok(both >= running.length * 0.9, `both agents read busy in ${both} of ${running.length} samples`);

    // ETA: shown while the job runs, and from one update to the next its ends never rise past rounding.
    const etas = running.map((s) => s.eta).filter((e): e is string => e !== null);
    assert.ok(etas.length >= running.length * 0.5, `an ETA was shown in ${etas.length} of ${running.length} samples`);
    const changes = etas.filter((e, i) => i === 0 || e !== etas[i - 1]);
    t.diagnostic(`${startUps.length} start-ups watched; ${mismatched.length}/${nodes.length} node samples disagreeing; "Agents busy" 2 in ${running.filter((s) => s.jobBusy === '2').length}/${running.length} job samples; ETA: ${changes.join(' | ')}`);
    assert.ok(changes.length >= 3, `the ETA updated ${changes.length} times: ${changes.join(' | ')}`);
    for (let i = 1; i < changes.length; i++) {
      const [a, b] = [parseRange(changes[i - 1]!), parseRange(changes[i]!)];
      assert.ok(b[0] <= a[0] * 1.1 + 1 && b[1] <= a[1] * 1.1 + 1, `the ETA jumped from "${changes[i - 1]}" to "${changes[i]}"; all: ${changes.join(' | ')}`);
    }

    // After the job: both nodes idle, the header back to none busy.
    for (const id of [agentIds.local, agentIds.b]) {
      const row = nodesPage.locator(`tr[data-agent-id="${id}"]`);
      await row.filter({ hasText: /0 of \d+ busy/ }).waitFor({ timeout: 5_000 });
      await row.filter({ hasText: 'idle' }).waitFor({ timeout: 5_000 });
    }
    await nodesPage.getByRole('banner').getByText('2 agents · 0 busy', { exact: true }).waitFor({ timeout: 5_000 });
    await expectAccessible(jobsPage, 'jobs view after a job, with the farm counts');
  });

  test('an agent drained while it renders reads "0 of 1 busy", idle and drained once its task is done', async () => {
    const job = await controller.api.call('jobs.submit', { type: 'render', scenePath: scene, frames: '1-8', chunkSize: 1, outputDir: join(dir, 'out-2') });
    const row = nodesPage.locator(`tr[data-agent-id="${agentIds.b}"]`);
    await row.filter({ hasText: /1 of 1 busy/ }).waitFor({ timeout: 30_000 });
    await nodesPage.getByRole('button', { name: 'Drain e2e-numbers-b' }).click();
    await row.filter({ hasText: 'draining' }).waitFor({ timeout: 5_000 });
    await eventually('the job to succeed', 120_000, async () => ((await controller.api.call('jobs.get', { jobId: job.id })).state === 'succeeded' ? true : undefined));
    await row.filter({ hasText: 'drained: takes no new tasks' }).waitFor({ timeout: 5_000 });
    await row.filter({ hasText: /0 of 1 busy/ }).waitFor({ timeout: 5_000 });
    assert.match(await row.innerText(), /\bidle\b/);
    assert.equal((await controller.api.call('agents.list', {})).find((a) => a.agentId === agentIds.b)!.busySlots, 0);
    await nodesPage.getByRole('banner').getByText('2 agents · 0 busy', { exact: true }).waitFor({ timeout: 5_000 });
    await expectAccessible(nodesPage, 'nodes view with a drained agent');
  });
});
