import assert from 'node:assert/strict';
import { copyFile, mkdtemp, rm } from 'node:fs/promises';
import { register } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { mainScript, root } from './helpers/electron-app.js';

// The main process's wiring (dist/electron-app/main.js, as shipped) under plain Node, with
// Electron's API replaced by a test double (helpers/electron-double.mjs): the controller
// service really runs, and the IPC answers, the sender checks, the app:// protocol, request
// blocking, files from the command line / a second launch / macOS open-file, the tray and its
// queue menu, and quitting are checked against what main.js asked the double to do. It proves
// the wiring everywhere, Electron or not; app.test.ts checks Electron's own behaviour where
// its binary runs.

register('./helpers/electron-hooks.mjs', import.meta.url);

interface Sent extends Array<unknown> {
  0: string;
}
interface DoubleWindow {
  options: { webPreferences: Record<string, unknown> & { additionalArguments: string[] } };
  webContents: { id: number; sent: Sent[] };
  emit(event: string, ...args: unknown[]): boolean;
}
interface Double {
  app: { exitCode: number | undefined; emit(event: string, ...args: unknown[]): boolean };
  ipcMain: { invokeHandlers: Map<string, (event: unknown, ...args: unknown[]) => Promise<unknown>>; emit(event: string, ...args: unknown[]): boolean };
  BrowserWindow: { all: DoubleWindow[] };
  Tray: { last: { menu: { items: { label: string; click(): void }[] } } | null };
  handlers: {
    protocol(request: Request): Promise<Response>;
    beforeRequest(details: { url: string }, callback: (r: { cancel: boolean }) => void): void;
    windowOpen(details: { url: string }): { action: string };
    permission(contents: unknown, permission: string, callback: (granted: boolean) => void): void;
  };
  log: unknown[][];
}
interface Hooks {
  tray(): { state: string; icon: string; tooltip: string; menu: string[] };
}
type Reply = { ok: true; result: unknown } | { ok: false; error: { code: string; message: string } };

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
async function until<T>(what: string, check: () => T | undefined | false, timeoutMs = 10_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (let i = 0; i < 10_000 && Date.now() < deadline; i++) {
    const value = check();
    if (value !== undefined && value !== false) return value;
    await sleep(20);
  }
  throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
}

describe('the main process wiring, with Electron as a test double', { timeout: 60_000 }, () => {
  let home: string;
  let scene: string;
  let electron: Double;
  let win: DoubleWindow;
  let hooks: Hooks;
  const trusted = () => ({ sender: win.webContents, senderFrame: { url: 'app://farmhand/index.html', parent: null } });
  const invoke = (channel: string, params: unknown, event: unknown = trusted()) => electron.ipcMain.invokeHandlers.get(channel)!(event, params) as Promise<Reply>;
  const openedFiles = () => win.webContents.sent.filter((s) => s[0] === 'farmhand:open-file').map((s) => s[1]);

  before(async () => {
    home = await mkdtemp(join(tmpdir(), 'fh-main-wiring-'));
    scene = join(home, 'a scene.blend');
    await copyFile(join(root, 'assets/examples/spinning-cube.blend'), scene);
    // By URL: the same module instance main.js gets for `electron` (and no types to resolve).
    electron = (await import(new URL('./helpers/electron-double.mjs', import.meta.url).href)) as Double;
    Object.assign(process.env, { FARMHAND_HOME: home, FARMHAND_MDNS_INTERFACE: '127.0.0.1', FARMHAND_TEST_HOOKS: '1' });
    process.argv = [process.execPath, mainScript, scene, '--no-discover', '--no-local-agent'];
    await import(mainScript);
    hooks = await until('the app to start', () => (globalThis as { farmhandTestHooks?: Hooks }).farmhandTestHooks);
    win = electron.BrowserWindow.all[0]!;
  });
  after(async () => {
    if (electron && electron.app.exitCode === undefined) electron.Tray.last?.menu.items.find((i) => i.label === 'Quit Farmhand')?.click();
    await until('the app to exit', () => electron?.app.exitCode !== undefined || undefined, 15_000).catch(() => undefined);
    await rm(home, { recursive: true, force: true });
  });

  test('one window, hardened, loading app://farmhand/; the preload is told the contract\'s commands; Electron\'s data beside FARMHAND_HOME', () => {
    assert.equal(electron.BrowserWindow.all.length, 1);
    const prefs = win.options.webPreferences;
    assert.deepEqual([prefs.contextIsolation, prefs.sandbox, prefs.nodeIntegration, prefs.webSecurity], [true, true, false, true]);
    assert.match(String(prefs.preload), /dist\/electron-app\/preload\.cjs$/);
    assert.match(prefs.additionalArguments[0]!, /^--farmhand-api-commands=jobs\.submit,.*farm\.pauseQueue/);
    assert.ok(electron.log.some(([what, url]) => what === 'loadURL' && url === 'app://farmhand/index.html'));
    assert.ok(electron.log.some(([what, name, path]) => what === 'setPath' && name === 'userData' && path === join(home, 'desktop-app')));
  });

  test('IPC: a command per channel through the contract; foreign frames and subframes refused', async () => {
    const status = await invoke('farmhand:farm.status', {});
    assert.ok(status.ok && (status.result as { queuePaused: boolean }).queuePaused === false);
    const bad = await invoke('farmhand:jobs.setPriority', { jobId: 'x', priority: 1000 });
    assert.deepEqual(bad, { ok: false, error: { code: 'invalid-params', message: 'Invalid params for jobs.setPriority: priority must be at most 100.' } });
    const missing = await invoke('farmhand:jobs.get', { jobId: 'nope' });
    assert.equal(!missing.ok && missing.error.code, 'not-found');
    const foreign = await invoke('farmhand:farm.status', {}, { sender: win.webContents, senderFrame: { url: 'https://example.com/', parent: null } });
    assert.equal(!foreign.ok && foreign.error.code, 'unauthorized');
    const subframe = await invoke('farmhand:farm.status', {}, { sender: win.webContents, senderFrame: { url: 'app://farmhand/index.html', parent: {} } });
    assert.equal(!subframe.ok && subframe.error.code, 'unauthorized');
    const otherContents = await invoke('farmhand:farm.status', {}, { sender: { id: -1 }, senderFrame: { url: 'app://farmhand/index.html', parent: null } });
    assert.equal(!otherContents.ok && otherContents.error.code, 'unauthorized');
  });

  test('open-folder opens folders only', async () => {
    assert.equal(await invoke('farmhand:open-folder', home), null);
    assert.match(String(await invoke('farmhand:open-folder', scene)), /is not a folder/);
    assert.match(String(await invoke('farmhand:open-folder', 'relative/dir')), /absolute path/);
    assert.ok(electron.log.some(([what, path]) => what === 'openPath' && path === home));
    assert.ok(!electron.log.some(([what, path]) => what === 'openPath' && path === scene), 'a file is never opened');
  });

  test('the session serves the UI with its CSP, blocks everything remote, grants no permission, opens no window', async () => {
    const index = await electron.handlers.protocol(new Request('app://farmhand/index.html'));
    assert.equal(index.status, 200);
    assert.match(index.headers.get('content-security-policy') ?? '', /default-src 'self'.*script-src 'self'/);
    assert.match(await index.text(), /app\.js/);
    assert.equal((await electron.handlers.protocol(new Request('app://farmhand/%2e%2e/%2e%2e/package.json'))).status, 404);
    const cancels = (url: string) => {
      let cancel: boolean | undefined;
      electron.handlers.beforeRequest({ url }, (r) => (cancel = r.cancel));
      return cancel;
    };
    assert.deepEqual(['https://example.com/x.js', 'http://127.0.0.1:7400/', 'file:///etc/passwd', 'ws://10.0.0.1/'].map(cancels), [true, true, true, true]);
    assert.deepEqual(['app://farmhand/app.js', 'data:image/png;base64,AA==', 'blob:app://farmhand/1'].map(cancels), [false, false, false]);
    let granted: boolean | undefined;
    electron.handlers.permission(null, 'notifications', (g) => (granted = g));
    assert.equal(granted, false);
    assert.equal(electron.handlers.windowOpen({ url: 'https://example.com/' }).action, 'deny');
  });

  test('files: the launch file waits for the page, then a second launch\'s and macOS open-file go straight to it', async () => {
    assert.deepEqual(openedFiles(), [], 'nothing is sent before the page listens');
    electron.ipcMain.emit('farmhand:open-file-ready', trusted());
    assert.deepEqual(openedFiles(), [scene]);
    electron.app.emit('second-instance', {}, ['/usr/lib/electron', mainScript, 'shots/second.mp4', '--some-chromium-switch'], '/home/me');
    electron.app.emit('open-file', { preventDefault() {} }, '/Users/me/third.mov');
    electron.app.emit('open-file', { preventDefault() {} }, '/Users/me/notes.txt');
    assert.deepEqual(openedFiles(), [scene, '/home/me/shots/second.mp4', '/Users/me/third.mov']);
  });

  test('tray: no agents at first; Pause queue in its menu pauses the farm, the page hears of it, the menu offers Resume', async () => {
    const first = hooks.tray();
    assert.deepEqual({ state: first.state, icon: first.icon, menu: first.menu }, { state: 'no-agents', icon: 'tray-no-agents', menu: ['Show Farmhand', 'Pause queue', 'Quit Farmhand'] });
    assert.match(first.tooltip, /no agents yet/);
    assert.ok(electron.log.some(([what, value, mode]) => what === 'progress' && value === -1 && mode === 'none'), 'no taskbar progress while nothing is unfinished');
    electron.Tray.last!.menu.items.find((i) => i.label === 'Pause queue')!.click();
    await until('the tray to offer Resume queue', () => hooks.tray().menu.includes('Resume queue'));
    const status = await invoke('farmhand:farm.status', {});
    assert.ok(status.ok && (status.result as { queuePaused: boolean }).queuePaused);
    await until('the pause notice in an event batch to the page', () =>
      win.webContents.sent.some((s) => s[0] === 'farmhand:events' && (s[1] as { kind: string; text?: string }[]).some((e) => e.kind === 'notice' && /queue is paused/.test(e.text ?? ''))),
    );
    electron.Tray.last!.menu.items.find((i) => i.label === 'Resume queue')!.click();
    await until('the tray to offer Pause queue again', () => hooks.tray().menu.includes('Pause queue'));
  });

  test('closing the window hides it (the farm keeps running); Quit stops the service and exits 0', async () => {
    let prevented = false;
    win.emit('close', { preventDefault: () => (prevented = true) });
    assert.ok(prevented);
    electron.Tray.last!.menu.items.find((i) => i.label === 'Quit Farmhand')!.click();
    await until('the app to exit', () => electron.app.exitCode !== undefined, 15_000);
    assert.equal(electron.app.exitCode, 0);
    assert.ok(electron.log.some(([what]) => what === 'tray.destroy'));
    assert.ok(!electron.log.some(([what]) => what === 'errorBox'), 'no error box was shown');
  });
});
