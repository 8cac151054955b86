import assert from 'node:assert/strict';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import type { Locator, Page } from 'playwright-core';
import { runBlenderScript } from '../helpers/blender-script.js';
import { describeViolations, launchBrowser, seriousA11yViolations, type TestBrowser } from './helpers/browser.js';
import { openSubmitDialog } from './helpers/submit-dialog.js';
import { startUiController, type UiController } from './helpers/ui-controller.js';

// The submit dialog shows the files a chosen scene needs (files.probe's manifest) against a
// real `farmhand controller`, scenes written by real Blender and Debian's Chromium: the count
// and total size, missing files first and marked, and a Submit held until "Render anyway" is
// ticked, which then reaches the controller as allowMissing (the job carries the warning).
// The browser uploads the chosen .blend, so the scenes name their textures by absolute paths.

/**
 * Runs inside Blender: `-- <complete.blend> <broken.blend> <relative.blend> <present.png> <gone.png>`.
 * Images kept by fake users; relative.blend names present.png by a `//` path from its own folder.
 */
const SCENES = `
import bpy, sys
complete, broken, relative, present, gone = sys.argv[sys.argv.index("--") + 1:]
bpy.ops.wm.read_factory_settings(use_empty=True)
s = bpy.context.scene
s.render.resolution_x, s.render.resolution_y = 32, 24
s.frame_start, s.frame_end = 1, 1
def image(name, path):
    img = bpy.data.images.new(name, 4, 4)
    img.source = "FILE"
    img.filepath = path
    img.use_fake_user = True
image("present", present)
bpy.ops.wm.save_as_mainfile(filepath=complete, relative_remap=False)
image("gone", gone)
bpy.ops.wm.save_as_mainfile(filepath=broken, relative_remap=False)
bpy.ops.wm.read_factory_settings(use_empty=True)
image("rel", "//../tex/present.png")
bpy.ops.wm.save_as_mainfile(filepath=relative, relative_remap=False)
`;

let dir: string;
let controller: UiController;
let browser: TestBrowser;
let page: Page;
const at = (p: string) => join(dir, p);

before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'fh-e2e-deps-'));
  await mkdir(at('tex'), { recursive: true });
  await mkdir(at('shots'), { recursive: true });
  await writeFile(at('tex/present.png'), Buffer.alloc(5000, 7));
  await runBlenderScript(['--python-expr', SCENES, '--', at('shots/complete.blend'), at('shots/broken.blend'), at('shots/relative.blend'), at('tex/present.png'), at('tex/gone.png')], { home: at('blender-home'), what: 'dependency scenes' });
  [controller, browser] = await Promise.all([startUiController(dir), launchBrowser()]);
  page = await browser.newPage();
  await page.goto(controller.uiUrl);
});

after(async () => {
  await browser?.close();
  await controller?.stop();
  if (dir) await rm(dir, { recursive: true, force: true });
});

/** Opens the dialog, chooses `scene` with its "Choose file…" picker (the page uploads it) and waits for the file list. */
async function chooseScene(scene: string): Promise<{ dialog: Locator; files: Locator }> {
  const dialog = await openSubmitDialog(page, scene);
  const files = dialog.getByRole('region', { name: 'Files the scene needs' });
  await files.waitFor({ timeout: 30_000 });
  return { dialog, files };
}

async function expectAccessible(view: string): Promise<void> {
  const violations = await seriousA11yViolations(page);
  assert.equal(violations.length, 0, describeViolations(view, violations));
  assert.deepEqual(browser.problems, []);
}

test('a scene with all its files shows their count and size, and Submit is open', { timeout: 120_000 }, async () => {
  const { dialog, files } = await chooseScene(at('shots/complete.blend'));
  assert.equal((await files.locator('.dependency-summary').innerText()).trim(), 'The scene needs 1 other file, 5 KB in all.');
  assert.equal(await files.getByRole('alert').count(), 0);
  const list = files.getByRole('list', { name: '1 file the scene needs' });
  const items = list.getByRole('listitem');
  assert.equal(await items.count(), 1);
  assert.equal(await items.first().getAttribute('data-missing'), 'false');
  assert.match(await items.first().innerText(), new RegExp(`5 KB\\s+image\\s+${at('tex/present.png').replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}`));
  assert.equal(await dialog.getByRole('checkbox', { name: /Render anyway/ }).count(), 0);
  assert.equal(await dialog.getByRole('button', { name: 'Submit', exact: true }).isEnabled(), true);
  await expectAccessible('submit dialog with the files a scene needs');
  await dialog.getByRole('button', { name: 'Cancel', exact: true }).click();
  await dialog.waitFor({ state: 'detached', timeout: 5000 });
});

test('a missing texture is listed first and marked; Submit waits for "Render anyway", which sends allowMissing', { timeout: 120_000 }, async () => {
  const { dialog, files } = await chooseScene(at('shots/broken.blend'));
  assert.equal((await files.locator('.dependency-summary').innerText()).trim(), 'The scene needs 2 other files, 5 KB in all.');
  assert.equal((await files.getByRole('alert').innerText()).trim(), '✗ 1 file is missing; the scene renders it magenta. Put it back where the scene looks, or render anyway.');
  const items = files.getByRole('list', { name: '2 files the scene needs, 1 missing' }).getByRole('listitem');
  assert.equal(await items.count(), 2);
  assert.equal(await items.nth(0).getAttribute('data-missing'), 'true');
  const first = await items.nth(0).innerText();
  assert.match(first, /✗ missing/);
  assert.ok(first.includes(at('tex/gone.png')), first);
  assert.match(first, /looked for at/);
  // Marked in red, not by the word alone: the row's text colour is the theme's --bad.
  assert.equal(await items.nth(0).evaluate((el) => getComputedStyle(el).color), 'rgb(179, 38, 30)');
  assert.equal(await items.nth(1).getAttribute('data-missing'), 'false');
  assert.ok((await items.nth(1).innerText()).includes(at('tex/present.png')));
  await expectAccessible('submit dialog with a missing file');

  const submit = dialog.getByRole('button', { name: 'Submit', exact: true });
  assert.equal(await submit.isEnabled(), false);
  const anyway = dialog.getByRole('checkbox', { name: 'Render anyway (missing files render magenta)' });
  await anyway.check();
  assert.equal(await submit.isEnabled(), true);
  await anyway.uncheck();
  assert.equal(await submit.isEnabled(), false);
  await anyway.check();
  // No agent has this tag: the job is queued, never rendered, and its warning tells the outcome.
  await dialog.getByLabel('Tags').fill('e2e-nowhere');
  await submit.click();
  await dialog.waitFor({ state: 'detached', timeout: 30_000 });
  const job = (await controller.api.call('jobs.list', {})).items.find((j) => j.name === 'broken.blend');
  assert.ok(job, 'the scene became a job named after it');
  assert.deepEqual((await controller.api.call('jobs.get', { jobId: job.id })).warnings, [`Submitted with 1 missing file(s): ${at('tex/gone.png')}; frames that use them will render wrong.`]);
});

test('an uploaded scene\'s // files are missing beside the upload: the dialog says to type its path, and the typed path submits with them found', { timeout: 120_000 }, async () => {
  const { dialog, files } = await chooseScene(at('shots/relative.blend'));
  const items = files.getByRole('listitem');
  assert.equal(await items.count(), 1);
  assert.equal(await items.first().getAttribute('data-missing'), 'true');
  assert.match(await items.first().innerText(), /\/\/\.\.\/tex\/present\.png\s+looked for at \/\S+\/uploads\/tex\/present\.png/);
  assert.equal((await files.locator('.dependency-upload-hint').innerText()).trim(), "This browser sent only the .blend, so files beside it are not found; type the scene's path on the controller's machine above instead, and the controller finds them there when you submit.");
  await expectAccessible('submit dialog with an uploaded scene missing its // files');
  await dialog.getByLabel('Scene file (.blend)').fill(at('shots/relative.blend'));
  await files.waitFor({ state: 'detached', timeout: 5000 });
  await dialog.getByLabel('Tags').fill('e2e-nowhere');
  await dialog.getByRole('button', { name: 'Submit', exact: true }).click();
  await dialog.waitFor({ state: 'detached', timeout: 30_000 });
  const job = (await controller.api.call('jobs.list', {})).items.find((j) => j.name === 'relative.blend');
  assert.ok(job, 'the typed scene became a job');
  assert.deepEqual((await controller.api.call('jobs.get', { jobId: job.id })).warnings ?? [], []);
});
