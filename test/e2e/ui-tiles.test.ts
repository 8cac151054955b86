import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import type { Page } from 'playwright-core';
import { runBlenderScript } from '../helpers/blender-script.js';
import { describeViolations, launchBrowser, seriousA11yViolations, type TestBrowser } from './helpers/browser.js';
import { openSubmitDialog } from './helpers/submit-dialog.js';
import { startUiController, type UiController } from './helpers/ui-controller.js';

// The submit dialog offers tiles (one still across the farm) for a single-frame job only,
// against a real `farmhand controller` and Debian's Chromium: a one-frame scene shows the
// field, a typed range hides it, one frame typed shows it again, and a submitted still
// reaches the controller as a tiled job (one task per tile and the merge).

/** Runs inside Blender: `-- <still.blend> <shot.blend>`; a one-frame scene and a five-frame one. */
const SCENES = `
import bpy, sys
still, shot = sys.argv[sys.argv.index("--") + 1:]
bpy.ops.wm.read_factory_settings(use_empty=True)
s = bpy.context.scene
s.render.resolution_x, s.render.resolution_y, s.render.resolution_percentage = 64, 48, 100
s.render.image_settings.file_format = "PNG"
s.frame_start, s.frame_end = 7, 7
bpy.ops.wm.save_as_mainfile(filepath=still)
s.frame_start, s.frame_end = 1, 5
bpy.ops.wm.save_as_mainfile(filepath=shot)
`;

let dir: string;
let controller: UiController;
let browser: TestBrowser;
let page: Page;
const at = (p: string) => join(dir, p);

before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'fh-e2e-tiles-'));
  await runBlenderScript(['--python-expr', SCENES, '--', at('still.blend'), at('shot.blend')], { home: at('blender-home'), what: 'still and shot scenes' });
  [controller, browser] = await Promise.all([startUiController(dir), launchBrowser()]);
  page = await browser.newPage();
  await page.goto(controller.uiUrl);
});

after(async () => {
  await browser?.close();
  await controller?.stop();
  if (dir) await rm(dir, { recursive: true, force: true });
});

/** Opens the dialog and chooses `scene` with its picker (the page uploads it); resolves once the scene's range fills Frames. */
async function openWith(scene: string, range: string) {
  const dialog = await openSubmitDialog(page, scene);
  const frames = dialog.getByLabel('Frames', { exact: true });
  for (let i = 0; i < 300 && (await frames.inputValue()) !== range; i++) await page.waitForTimeout(100);
  assert.equal(await frames.inputValue(), range, 'the scene\'s own range fills Frames');
  return { dialog, frames };
}

test('a single-frame scene offers tiles; a range hides them; a tiled still is submitted as tiles and a merge', { timeout: 120_000 }, async () => {
  const { dialog, frames } = await openWith(at('still.blend'), '7');
  const tiles = dialog.getByRole('spinbutton', { name: 'Tiles' });
  assert.equal(await tiles.count(), 1, 'a one-frame scene offers tiles');
  assert.match(await dialog.getByText(/One still across the farm/).innerText(), /each rendered on its own agent and merged into the frame/);
  await expectAccessible('submit dialog offering tiles');

  await frames.fill('1-5');
  assert.equal(await tiles.count(), 0, 'five frames: no tiles');
  await frames.fill('3');
  assert.equal(await tiles.count(), 1, 'one frame typed: tiles again');

  await tiles.fill('1');
  await dialog.getByLabel('Tags').fill('e2e-nowhere');
  await dialog.getByRole('button', { name: 'Submit', exact: true }).click();
  assert.equal(await dialog.getByText('Tiles must be a whole number from 2 to 64.').count(), 1);
  assert.equal(await tiles.getAttribute('aria-invalid'), 'true');
  await expectAccessible('submit dialog with a tiles error');

  await tiles.fill('4');
  // No agent has this tag: the job is queued, never rendered; its tasks show the tiling.
  await dialog.getByRole('button', { name: 'Submit', exact: true }).click();
  await dialog.waitFor({ state: 'detached', timeout: 30_000 });
  const job = (await controller.api.call('jobs.list', {})).items.find((j) => j.name === 'still.blend');
  assert.ok(job, 'the still became a job');
  const tasks = (await controller.api.call('tasks.list', { jobId: job.id })).items;
  assert.deepEqual(tasks.map((t) => t.label), ['tile 1/4 (x 0–31, y 0–23)', 'tile 2/4 (x 32–63, y 0–23)', 'tile 3/4 (x 0–31, y 24–47)', 'tile 4/4 (x 32–63, y 24–47)', 'merge 2×2 tiles']);
  assert.deepEqual(tasks.map((t) => t.type), ['blender', 'blender', 'blender', 'blender', 'tiles-merge']);
});

test('a multi-frame scene does not offer tiles', { timeout: 120_000 }, async () => {
  const { dialog } = await openWith(at('shot.blend'), '1-5');
  assert.equal(await dialog.getByRole('spinbutton', { name: 'Tiles' }).count(), 0);
  await expectAccessible('submit dialog for a shot');
  await dialog.getByRole('button', { name: 'Cancel', exact: true }).click();
  await dialog.waitFor({ state: 'detached', timeout: 5000 });
});

async function expectAccessible(view: string): Promise<void> {
  const violations = await seriousA11yViolations(page);
  assert.equal(violations.length, 0, describeViolations(view, violations));
  assert.deepEqual(browser.problems, []);
}
