import assert from 'node:assert/strict';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, before, test } from 'node:test';
import type { Locator, Page } from 'playwright-core';
import { findBlender } from '../../electron/controller/jobs/blender/find-blender.js';
import { runBlenderScript } from '../helpers/blender-script.js';
import { renamedBlender } from '../helpers/renamed-blender.js';
import { startAgentProcess, type AgentProcess } from './helpers/agent-process.js';
import { describeViolations, launchBrowser, seriousA11yViolations, type TestBrowser } from './helpers/browser.js';
import { openSubmitDialog } from './helpers/submit-dialog.js';
import { eventually, startUiController, type UiController } from './helpers/ui-controller.js';

// Issue 17 in the UI, against a real `farmhand controller` (its local agent: Debian's Blender
// 3.4.1, no GPU, scripts not allowed), a real second `farmhand-agent` and Debian's Chromium:
// the submit dialog shows what the .blend reader found (the Blender that saved the file, its
// Cycles device, the Python it runs, its unbaked cloth) and sends the device, trust and one
// chunk as chosen, judged by the job and tasks the API then holds; a job that waits says why
// in its row and on its detail page (scripts no agent allows, a file saved by a newer Blender);
// the nodes view shows what each agent renders with, and once an agent with --allow-scripts
// is there the trusted job renders on it and stops waiting.

/**
 * Runs inside Blender: `-- <rig.blend>`. A 32×24 Cycles scene set to GPU compute, 4 frames;
 * a plane "Flag" with an unbaked cloth modifier and a driver calling `my_offset(frame)`, which
 * Blender's simple-expression evaluator cannot run; a registered text block (use_module)
 * that defines `my_offset`, so with the scene's scripts trusted the driver works.
 */
const RIG_SCENE = `
import bpy, sys
out = sys.argv[sys.argv.index("--") + 1]
bpy.ops.wm.read_factory_settings(use_empty=True)
s = bpy.context.scene
s.render.engine = "CYCLES"
s.cycles.device = "GPU"
s.cycles.samples = 1
s.cycles.use_denoising = False
s.render.resolution_x, s.render.resolution_y = 32, 24
s.frame_start, s.frame_end = 1, 4
cam = bpy.data.objects.new("Camera", bpy.data.cameras.new("Camera"))
cam.location = (0, -6, 2)
cam.rotation_euler = (1.25, 0, 0)
s.collection.objects.link(cam)
s.camera = cam
me = bpy.data.meshes.new("Flag")
me.from_pydata([(-1, -1, 0), (1, -1, 0), (1, 1, 0), (-1, 1, 0)], [], [(0, 1, 2, 3)])
flag = bpy.data.objects.new("Flag", me)
s.collection.objects.link(flag)
flag.modifiers.new("Cloth", "CLOTH")
text = bpy.data.texts.new("rig_ui.py")
text.write("import bpy\\nbpy.app.driver_namespace['my_offset'] = lambda f: f * 0.01\\n")
text.use_module = True
fc = flag.driver_add("location", 2)
fc.driver.type = "SCRIPTED"
fc.driver.expression = "my_offset(frame)"
bpy.ops.wm.save_as_mainfile(filepath=out)
`;

/** Saved by Blender 4.3.2 (test/fixtures/blender-4/README.md); names files that are missing here, so it is submitted with allowMissing. */
const NEWER_SCENE = fileURLToPath(new URL('../fixtures/blender-4/shot/scene.blend', import.meta.url));

let dir: string;
let rig: string;
let controller: UiController;
let browser: TestBrowser;
let page: Page;
let extraAgent: AgentProcess | undefined;
const at = (p: string) => join(dir, p);

before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'fh-e2e-renderers-'));
  await mkdir(at('shots'), { recursive: true });
  rig = at('shots/rig.blend');
  await runBlenderScript(['--python-expr', RIG_SCENE, '--', rig], { home: at('blender-home'), what: 'rig scene' });
  [controller, browser] = await Promise.all([startUiController(dir), launchBrowser()]);
  page = await browser.newPage();
  await page.goto(controller.uiUrl);
  await page.getByRole('heading', { name: 'Jobs', level: 1 }).waitFor({ timeout: 10_000 });
});

after(async () => {
  await extraAgent?.kill();
  await browser?.close();
  await controller?.stop();
  if (dir) await rm(dir, { recursive: true, force: true });
});

async function expectAccessible(view: string): Promise<void> {
  // FARMHAND_E2E_SCREENSHOTS=DIR keeps a picture of every view checked, for looking at by eye.
  const shots = process.env.FARMHAND_E2E_SCREENSHOTS;
  if (shots) await page.screenshot({ path: join(shots, `${view.replace(/[^a-z0-9]+/gi, '-')}.png`), fullPage: true });
  const violations = await seriousA11yViolations(page);
  assert.equal(violations.length, 0, describeViolations(view, violations));
  assert.deepEqual(browser.problems, []);
}

/** Opens the dialog and chooses `scene` with its "Choose file…" picker (the page uploads it), waiting for what the controller read. */
async function chooseScene(scene: string): Promise<{ dialog: Locator; facts: Locator }> {
  const dialog = await openSubmitDialog(page, scene);
  const facts = dialog.getByRole('region', { name: `About ${scene.split('/').pop()}` });
  await facts.waitFor({ timeout: 30_000 });
  return { dialog, facts };
}

/** The value shown beside `term` in a facts list. */
async function fact(facts: Locator, term: string): Promise<string> {
  return (await facts.locator('dt', { hasText: new RegExp(`^${term}$`) }).locator('xpath=following-sibling::dd[1]').innerText()).trim();
}

test('the dialog shows the Blender that saved the scene, its Cycles device, its Python and its unbaked cloth, and sends device, trust and one chunk as chosen with the keyboard', { timeout: 120_000 }, async () => {
  const { dialog, facts } = await chooseScene(rig);
  assert.equal(await fact(facts, 'Saved by'), 'Blender 3.4');
  assert.equal(await fact(facts, 'Cycles device'), 'GPU compute');

  const cautions = dialog.getByRole('region', { name: 'What the scene runs' });
  const scripts = cautions.locator('[data-caution="scripts"]');
  assert.equal((await scripts.innerText()).trim(), "⚠ The scene runs Python (1 registered script and 1 driver expression) that Blender skips unless you trust the scene's scripts, so frames that use it render wrong.");
  const python = await cautions.getByRole('list', { name: 'Python the scene runs' }).getByRole('listitem').allInnerTexts();
  assert.equal(python.length, 2, python.join(' | '));
  assert.equal(python[0]!.trim(), 'script rig_ui.py');
  assert.match(python[1]!, /^driver .*my_offset\(frame\)/);
  const simulations = cautions.locator('[data-caution="simulations"]');
  assert.equal((await simulations.innerText()).trim(), "⚠ 1 unbaked simulation: a render split into chunks starts it again at each chunk's first frame, mid-sequence, so later chunks come out wrong. Bake in Blender, or render as one chunk.");
  const sims = await cautions.getByRole('list', { name: 'Unbaked simulations' }).getByRole('listitem').allInnerTexts();
  assert.deepEqual(sims.map((s) => s.replace(/[“”"]/g, '').trim()), ['cloth on Flag']);
  await expectAccessible('submit dialog with a scene\'s Python and unbaked cloth');

  // Keyboard only: the device radios move with the arrow keys, checkboxes tick with Space.
  const device = dialog.getByRole('group', { name: 'Device' });
  assert.equal(await device.getByRole('radio', { name: 'Any' }).isChecked(), true);
  await device.getByRole('radio', { name: 'Any' }).focus();
  await page.keyboard.press('ArrowRight');
  assert.equal(await device.getByRole('radio', { name: 'CPU' }).isChecked(), true);
  assert.match(await device.innerText(), /Every agent renders it on its CPU\./);
  const trust = dialog.getByRole('checkbox', { name: /^Trust the scene's scripts/ });
  await trust.focus();
  await page.keyboard.press('Space');
  assert.equal(await trust.isChecked(), true);
  assert.equal((await scripts.innerText()).trim(), "The scene's Python (1 registered script and 1 driver expression) runs: only agents started with --allow-scripts take this job, and it waits until one is there.");
  const oneChunk = dialog.getByRole('checkbox', { name: 'Render as one chunk (all 4 frames in one task)' });
  await oneChunk.focus();
  await page.keyboard.press('Space');
  assert.equal(await oneChunk.isChecked(), true);
  const chunkSize = dialog.getByLabel('Chunk size');
  assert.equal(await chunkSize.isDisabled(), true);
  assert.equal(await chunkSize.inputValue(), '4');
  assert.equal((await simulations.innerText()).trim(), 'Rendered as one chunk: the simulation runs from the first frame.');

  // A pinned Blender older than the one that saved the file is refused in the dialog, with the fix.
  const version = dialog.getByLabel('Blender version');
  await version.fill('3.3');
  await dialog.getByRole('button', { name: 'Submit', exact: true }).click();
  assert.equal(await version.getAttribute('aria-invalid'), 'true');
  assert.match(await dialog.innerText(), /Blender 3\.3 is older than the Blender 3\.4 that saved this scene and would never be used; give 3\.4 or newer, or leave it empty\./);
  await version.fill('3.4');
  await expectAccessible('submit dialog with trust, CPU and one chunk chosen');
  await dialog.getByRole('button', { name: 'Submit', exact: true }).click();
  await dialog.waitFor({ state: 'detached', timeout: 30_000 });

  const job = (await controller.api.call('jobs.list', {})).items.find((j) => j.name === 'rig.blend');
  assert.ok(job, 'the scene became a job named after it');
  const detail = await controller.api.call('jobs.get', { jobId: job.id });
  assert.deepEqual(
    { device: detail.settings.device, trustScripts: detail.settings.trustScripts, blenderVersion: detail.settings.blenderVersion, chunkSize: detail.settings.chunkSize, frameCount: detail.settings.frameCount },
    { device: 'cpu', trustScripts: true, blenderVersion: '3.4', chunkSize: 4, frameCount: 4 },
  );
  // Trusted and in one chunk: neither the scripts nor the simulation warning.
  assert.deepEqual(detail.warnings ?? [], []);
  const tasks = (await controller.api.call('tasks.list', { jobId: job.id })).items;
  assert.equal(tasks.length, 1, `one task for the whole range: ${tasks.map((t) => t.label).join(', ')}`);
});

test('a waiting job says why in its row and on its detail page: scripts no agent allows, a file newer than every Blender', { timeout: 120_000 }, async () => {
  const rigJob = (await controller.api.call('jobs.list', {})).items.find((j) => j.name === 'rig.blend');
  assert.ok(rigJob, 'the job of the first test');
  // A scene saved by Blender 4.3 (Debian's 3.4.1 crashes opening it): it must wait, never reach the local agent.
  const newer = await controller.api.call('jobs.submit', { type: 'render', scenePath: NEWER_SCENE, outputDir: at('out-43'), allowMissing: true });
  const cases = [
    { job: rigJob, reason: "no agent allows scripts (the job trusts the scene's scripts: start an agent with --allow-scripts)." },
    { job: newer, reason: 'no agent has Blender ≥ 4.3 for scene.blend (saved by 4.3).' },
  ];
  for (const c of cases) {
    await eventually(`the API to say why ${c.job.name} waits`, 15_000, async () => ((await controller.api.call('jobs.get', { jobId: c.job.id })).waitingReason === c.reason ? true : undefined));
  }
  await page.getByRole('navigation', { name: 'Views' }).getByRole('button', { name: 'Jobs' }).click();
  for (const c of cases) {
    const line = page.locator(`tr[data-job-id="${c.job.id}"]`).locator('[data-waiting="true"]');
    await line.waitFor({ timeout: 10_000 });
    assert.equal((await line.innerText()).trim(), `waiting: ${c.reason}`);
  }
  await expectAccessible('jobs with waiting jobs');

  await page.locator(`tr[data-job-id="${newer.id}"]`).getByRole('button', { name: 'scene.blend', exact: true }).click();
  const detail = page.locator(`section[data-job-id="${newer.id}"]`);
  await detail.waitFor({ timeout: 5000 });
  assert.equal((await detail.getByRole('status').filter({ hasText: /^waiting:/ }).innerText()).trim(), `waiting: ${cases[1]!.reason}`);
  assert.equal((await detail.locator('[data-fact="renderer"]').innerText()).trim(), "the scene's device · the file's Blender or newer · scripts not run");
  // Its chunk plan (issue 19): nothing measured, no agent to plan for, so the submit's plan from the default frame time.
  assert.match((await detail.locator('[data-fact="chunks"]').innerText()).trim(), /^\d+ chunks? of up to \d+ frames, sized from the default 10 s\/frame\.$/);
  await expectAccessible('job detail of a waiting job');
  await detail.getByRole('button', { name: '← All jobs' }).click();
  await page.locator(`tr[data-job-id="${rigJob.id}"]`).getByRole('button', { name: 'rig.blend', exact: true }).click();
  const rigDetail = page.locator(`section[data-job-id="${rigJob.id}"]`);
  await rigDetail.locator('[data-fact="renderer"]').waitFor({ timeout: 5000 });
  assert.equal((await rigDetail.locator('[data-fact="renderer"]').innerText()).trim(), 'CPU · Blender 3.4 · scripts trusted');
  assert.equal((await rigDetail.getByRole('status').filter({ hasText: /^waiting:/ }).innerText()).trim(), `waiting: ${cases[0]!.reason}`);
  await rigDetail.getByRole('button', { name: '← All jobs' }).click();
  assert.equal((await controller.api.call('tasks.list', { jobId: newer.id })).items.every((t) => t.state === 'queued' && t.attempt === 0), true, 'no agent was sent the 4.3 file');
});

test('the nodes view shows each agent\'s Blenders, where it renders, its GPUs and whether it runs scripts; the trusted job runs on the agent that allows them and stops waiting', { timeout: 150_000 }, async () => {
  const real = findBlender();
  assert.ok(real, 'Blender is not installed: apt-get install -y blender');
  const second = await renamedBlender(at('blenders'), '4.1.0');
  const { farmKey } = await controller.api.call('farm.info', {});
  extraAgent = await startAgentProcess({ dir: at('extra-agent'), farmKey, name: 'e2e-scripts', args: ['--blender', real, '--blender', second, '--allow-scripts'] });
  await controller.api.call('agents.add', { url: extraAgent.url });
  const extra = await eventually('the second agent online with both Blenders', 60_000, async () => {
    const a = (await controller.api.call('agents.list', {})).find((x) => x.name === 'e2e-scripts');
    return a?.online && (a.blenders?.length ?? 0) === 2 ? a : undefined;
  });
  const local = (await controller.api.call('agents.list', {})).find((a) => a.agentId !== extra.agentId && a.blender !== null);
  assert.ok(local, 'the local agent reports its Blender');
  assert.deepEqual([extra.renderDevice, extra.allowScripts, local.renderDevice, local.allowScripts], ['cpu', true, 'cpu', false]);

  await page.getByRole('navigation', { name: 'Views' }).getByRole('button', { name: 'Nodes' }).click();
  const localRow = page.locator(`tr[data-agent-id="${local.agentId}"]`);
  const extraRow = page.locator(`tr[data-agent-id="${extra.agentId}"]`);
  await extraRow.filter({ hasText: 'online' }).waitFor({ timeout: 20_000 });
  assert.match(await localRow.innerText(), new RegExp(`Blender ${local.blender!.replace(/\./g, '\\.')}(?!,)`));
  assert.equal((await localRow.locator('[data-facts="renderers"]').innerText()).trim(), 'renders on CPU · no GPU · scripts off');
  assert.match(await extraRow.innerText(), new RegExp(`Blender ${extra.blenders![0]!.version.replace(/\./g, '\\.')}, 4\\.1\\.0`));
  assert.equal((await extraRow.locator('[data-facts="renderers"]').innerText()).trim(), 'renders on CPU · no GPU · scripts allowed');
  await expectAccessible('nodes with their Blenders and scripts');

  // The trusted job found its agent: it renders there and its row no longer says it waits; the 4.3 file still waits (4.1 is not ≥ 4.3).
  const jobs = (await controller.api.call('jobs.list', {})).items;
  const rigJob = jobs.find((j) => j.name === 'rig.blend')!;
  const newer = jobs.find((j) => j.name === 'scene.blend')!;
  await eventually('the trusted job to succeed on the agent that allows scripts', 90_000, async () => ((await controller.api.call('jobs.get', { jobId: rigJob.id })).state === 'succeeded' ? true : undefined)).catch(async (error: Error) => {
    const tasks = (await controller.api.call('tasks.list', { jobId: rigJob.id })).items.map((t) => ({ state: t.state, agentId: t.agentId, error: t.error, attempt: t.attempt }));
    throw new Error(`${error.message}; job: ${JSON.stringify(await controller.api.call('jobs.get', { jobId: rigJob.id }))}; tasks: ${JSON.stringify(tasks)}; agent ${extra.agentId}`);
  });
  assert.deepEqual([...new Set((await controller.api.call('tasks.list', { jobId: rigJob.id })).items.map((t) => t.agentId))], [extra.agentId]);
  await page.getByRole('navigation', { name: 'Views' }).getByRole('button', { name: 'Jobs' }).click();
  const rigRow = page.locator(`tr[data-job-id="${rigJob.id}"]`);
  await rigRow.filter({ hasText: 'succeeded' }).waitFor({ timeout: 10_000 });
  assert.equal(await rigRow.locator('[data-waiting="true"]').count(), 0);
  assert.equal((await page.locator(`tr[data-job-id="${newer.id}"]`).locator('[data-waiting="true"]').innerText()).trim(), 'waiting: no agent has Blender ≥ 4.3 for scene.blend (saved by 4.3).');
});
