import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { copyFile, mkdtemp, readFile, rm } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { Page } from 'playwright-core';
import type { FarmhandBridge } from '../../electron/controller/api/desktop-bridge.js';
import { eventually, launchApp, mainScript, root, traySnapshot, whyElectronCannotRun, type TestApp } from './helpers/electron-app.js';

// The desktop app in the real Electron, through Playwright's Electron driver: the window opens
// hardened and talks to the controller in its main process over IPC, the tray follows the farm,
// and a file opened from the command line, a second launch or a drop reaches the submit dialog.
// Electron cannot run everywhere (its binary is downloaded separately; it needs a display): the
// suite then skips, saying why.

const cannotRun = whyElectronCannotRun();
if (cannotRun) console.log(`# electron tests skipped: ${cannotRun}`);

type WithBridge = Window & { farmhand?: FarmhandBridge };

/** Resolves once the page's submit dialog (a native <dialog>, or any role=dialog) shows `path` in one of its fields. */
async function submitDialogShows(page: Page, path: string): Promise<void> {
  await page.waitForFunction((p) => [...document.querySelectorAll('dialog[open] input, [role="dialog"] input')].some((i) => (i as HTMLInputElement).value === p), path, { timeout: 15_000 });
}

async function closeSubmitDialog(page: Page): Promise<void> {
  await page.keyboard.press('Escape');
  await page.waitForFunction(() => document.querySelector('dialog[open], [role="dialog"]') === null, undefined, { timeout: 5_000 });
}

/** A test of the app: skipped, with the reason, where Electron cannot run (counted as skipped in the summary). */
const appTest = (name: string, fn: () => Promise<void>) => test(name, { skip: cannotRun ?? false }, fn);

describe('the desktop app in Electron', { timeout: 180_000 }, () => {
  let dir: string;
  let scene: string;
  let app: TestApp;

  before(async () => {
    if (cannotRun) return;
    dir = await mkdtemp(join(tmpdir(), 'fh-electron-files-'));
    scene = join(dir, 'opened from the command line.blend');
    await copyFile(join(root, 'assets/examples/spinning-cube.blend'), scene);
    app = await launchApp({ args: [scene] });
  });
  after(async () => {
    if (cannotRun) return;
    await app?.close();
    await rm(dir, { recursive: true, force: true });
  });

  appTest('a file given on the command line opens the submit dialog with its path', async () => {
    // First: the dialog it opens is modal, and the other tests want the window as it is without it.
    await submitDialogShows(app.page, scene);
    await closeSubmitDialog(app.page);
  });

  appTest('the window opens hardened: app:// page, no Node, only window.farmhand, the CSP, no navigation or windows elsewhere', async () => {
    const { page } = app;
    assert.match(page.url(), /^app:\/\/farmhand\/index\.html/);
    // No Node in the page (nodeIntegration off) and nothing of the preload's world but window.farmhand (context isolation).
    const globals = await page.evaluate(() => ['require', 'process', 'module', 'ipcRenderer', 'electron'].map((name) => typeof (globalThis as Record<string, unknown>)[name]));
    assert.deepEqual(globals, ['undefined', 'undefined', 'undefined', 'undefined', 'undefined']);
    assert.equal(await page.evaluate(() => typeof (window as WithBridge).farmhand?.call), 'function');
    assert.equal(await page.evaluate(() => {
      try {
        return String(eval('"eval ran"')); // the CSP has no 'unsafe-eval'
      } catch {
        return 'refused';
      }
    }), 'refused');
    // A non-web URL: will-navigate refuses it (a web one would open the user's browser).
    await page.evaluate(() => void (window.location.href = 'file:///etc/hostname'));
    await page.evaluate(() => void window.open('file:///etc/hostname'));
    await new Promise((r) => setTimeout(r, 500));
    assert.match(page.url(), /^app:\/\/farmhand\//);
    assert.equal(app.app.windows().length, 1);
  });

  appTest('window.farmhand carries the contract over IPC: results, one-sentence errors, events', async () => {
    const { page } = app;
    const commands = await page.evaluate(() => (window as WithBridge).farmhand!.commands);
    assert.ok(commands.includes('jobs.list') && commands.includes('farm.pauseQueue'), commands.join());
    const status = await page.evaluate(() => (window as WithBridge).farmhand!.call('farm.status', {}));
    assert.ok(status.ok && status.result.queuePaused === false);
    const missing = await page.evaluate(() => (window as WithBridge).farmhand!.call('jobs.get', { jobId: 'no-such-job' }));
    assert.deepEqual(missing.ok ? null : missing.error.code, 'not-found');
    const bad = await page.evaluate(() => (window as WithBridge).farmhand!.call('jobs.setPriority', { jobId: 'x', priority: 1000 } as never));
    assert.deepEqual(bad.ok ? null : bad.error.code, 'invalid-params');
    // Events arrive in batches: pausing the queue is announced to every client.
    await page.evaluate(() => {
      const seen: unknown[] = [];
      Object.assign(window, { seenEvents: seen });
      (window as WithBridge).farmhand!.onEvents((events) => seen.push(...events));
    });
    await page.evaluate(() => (window as WithBridge).farmhand!.call('farm.pauseQueue', {}));
    await page.waitForFunction(() => (window as unknown as { seenEvents: { kind: string; text?: string }[] }).seenEvents.some((e) => e.kind === 'notice' && /queue is paused/.test(e.text ?? '')), undefined, { timeout: 5_000 });
    await page.evaluate(() => (window as WithBridge).farmhand!.call('farm.resumeQueue', {}));
    // The UI itself is up and connected over IPC (no connection banner, the jobs view).
    await page.getByRole('navigation', { name: 'Views' }).waitFor({ timeout: 15_000 });
  });

  appTest('the tray exists, shows "no agents" and switches its menu with the queue', async () => {
    const first = await eventually('the tray', async () => {
      const ready = await app.app.evaluate(() => 'farmhandTestHooks' in globalThis);
      return ready ? traySnapshot(app.app) : undefined;
    });
    assert.equal(first.state, 'no-agents');
    assert.equal(first.icon, 'tray-no-agents');
    assert.match(first.tooltip, /no agents yet/);
    assert.deepEqual(first.menu, ['Show Farmhand', 'Pause queue', 'Quit Farmhand']);
    await app.page.evaluate(() => (window as WithBridge).farmhand!.call('farm.pauseQueue', {}));
    const paused = await eventually('the tray to offer Resume queue', async () => {
      const now = await traySnapshot(app.app);
      return now.menu.includes('Resume queue') ? now : undefined;
    });
    assert.match(paused.tooltip, /queue paused/);
    await app.page.evaluate(() => (window as WithBridge).farmhand!.call('farm.resumeQueue', {}));
    await eventually('Pause queue again', async () => ((await traySnapshot(app.app)).menu.includes('Pause queue') ? true : undefined));
  });

  appTest('a second launch with a file brings its path to the running app, and exits', async () => {
    const second = join(dir, 'second launch.blend');
    await copyFile(scene, second);
    const binary = createRequire(import.meta.url)('electron') as string;
    const child = spawn(binary, [...(process.getuid?.() === 0 ? ['--no-sandbox'] : []), mainScript, second], {
      env: { ...process.env, FARMHAND_HOME: app.home, FARMHAND_MDNS_INTERFACE: '127.0.0.1' },
      stdio: 'ignore',
    });
    const code = await new Promise<number | null>((resolve, reject) => {
      const timer = setTimeout(() => {
        child.kill('SIGKILL');
        reject(new Error('the second launch did not exit within 30 s'));
      }, 30_000);
      child.once('exit', (c) => {
        clearTimeout(timer);
        resolve(c);
      });
    });
    assert.equal(code, 0, 'the second instance quits at once');
    await submitDialogShows(app.page, second);
    await closeSubmitDialog(app.page);
  });

  appTest('a dropped file reaches the submit dialog with its path on disk', async () => {
    const dropped = join(dir, 'dropped.blend');
    await copyFile(scene, dropped);
    const { page } = app;
    // A File backed by a real path, as a drag from the file manager gives: set through a file input, then dropped.
    await page.evaluate(() => {
      const input = document.createElement('input');
      input.type = 'file';
      input.id = 'electron-test-file';
      input.hidden = true;
      document.body.append(input);
    });
    await page.setInputFiles('#electron-test-file', dropped);
    assert.equal(await page.evaluate(() => (window as WithBridge).farmhand!.pathForFile((document.getElementById('electron-test-file') as HTMLInputElement).files![0]!)), dropped);
    await page.evaluate(() => {
      const input = document.getElementById('electron-test-file') as HTMLInputElement;
      const transfer = new DataTransfer();
      transfer.items.add(input.files![0]!);
      input.remove();
      const target = document.querySelector('main') ?? document.body;
      for (const type of ['dragenter', 'dragover', 'drop']) target.dispatchEvent(new DragEvent(type, { dataTransfer: transfer, bubbles: true, cancelable: true }));
    });
    await submitDialogShows(page, dropped);
    await closeSubmitDialog(page);
  });

  appTest('nothing on the page broke and the CSP refused nothing the UI needs', async () => {
    assert.deepEqual(app.problems.filter((p) => !/eval/.test(p)), []);
  });
});

test('the app\'s bundles hold what Electron loads: an ESM main and a CommonJS preload that needs nothing but electron', async () => {
  const main = await readFile(mainScript, 'utf8').catch(() => null);
  assert.ok(main !== null, `${mainScript} is missing; run \`npm run build\` first`);
  assert.match(main, /from\s*"electron"/);
  const preload = await readFile(join(root, 'dist/electron-app/preload.cjs'), 'utf8');
  const required = [...preload.matchAll(/require\(\s*["']([^"']+)["']\s*\)/g)].map((m) => m[1]);
  assert.deepEqual([...new Set(required)], ['electron'], 'a sandboxed preload can require only electron');
  assert.doesNotMatch(preload, /^\s*(import|export)\s/m, 'the preload is CommonJS');
  for (const icon of ['tray-idle.png', 'tray-rendering-4@2x.png', 'app-icon.png']) {
    assert.ok((await readFile(join(root, 'dist/electron-app/icons', icon)).catch(() => null)) !== null, `${icon} was not copied beside the bundle`);
  }
});
