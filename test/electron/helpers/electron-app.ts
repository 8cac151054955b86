import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { _electron, type ElectronApplication, type Page } from 'playwright-core';

/**
 * Starts the desktop app (dist/electron-app/main.js) in the installed Electron through
 * Playwright's Electron driver, with its own data folder, discovery pinned to loopback and the
 * test hooks on. Where Electron cannot run, `whyNot` says why, for the tests to skip with it.
 */

export const root = new URL('../../../', import.meta.url).pathname;
export const mainScript = join(root, 'dist/electron-app/main.js');

/** Why the Electron tests cannot run here, or null when they can. */
export function whyElectronCannotRun(): string | null {
  let binary: string;
  try {
    binary = createRequire(import.meta.url)('electron') as string;
  } catch {
    return 'the Electron binary is not installed (npm was run with ELECTRON_SKIP_BINARY_DOWNLOAD=1, or the electron package\'s install script could not download it); install it with `node node_modules/electron/install.js` where github.com is reachable, then run `node scripts/run-tests.mjs electron`';
  }
  if (!existsSync(binary)) return `the Electron binary ${binary} is missing; reinstall the electron package`;
  if (process.platform === 'linux' && !process.env.DISPLAY && !process.env.WAYLAND_DISPLAY) return 'there is no display (DISPLAY is not set); run the suite under xvfb-run';
  return null;
}

export interface TestApp {
  app: ElectronApplication;
  page: Page;
  home: string;
  /** Things the window's page complained about (page errors, CSP refusals). */
  problems: string[];
  close(): Promise<void>;
}

export async function launchApp(o: { args?: string[] } = {}): Promise<TestApp> {
  if (!existsSync(mainScript)) throw new Error(`${mainScript} is missing; run \`npm run build\` first.`);
  const home = await mkdtemp(join(tmpdir(), 'fh-electron-'));
  const binary = createRequire(import.meta.url)('electron') as string;
  const app = await _electron.launch({
    executablePath: binary,
    // As root (CI), Chromium refuses to start without --no-sandbox; the page is still context-isolated and has no Node.
    args: [...(process.getuid?.() === 0 ? ['--no-sandbox'] : []), mainScript, '--no-discover', '--no-local-agent', ...(o.args ?? [])],
    env: { ...process.env, FARMHAND_HOME: home, FARMHAND_MDNS_INTERFACE: '127.0.0.1', FARMHAND_TEST_HOOKS: '1' } as Record<string, string>,
    timeout: 60_000,
  });
  const problems: string[] = [];
  const page = await app.firstWindow();
  page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
  page.on('console', (m) => {
    if (/Content Security Policy/i.test(m.text())) problems.push(`CSP: ${m.text()}`);
  });
  await page.waitForLoadState('domcontentloaded');
  return {
    app,
    page,
    home,
    problems,
    async close() {
      await app.close().catch(() => undefined);
      await rm(home, { recursive: true, force: true });
    },
  };
}

/** Polls `check` until it returns a value (not undefined) or the time is up. */
export async function eventually<T>(what: string, check: () => Promise<T | undefined>, timeoutMs = 15_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (let i = 0; i < 10_000; i++) {
    const value = await check();
    if (value !== undefined) return value;
    if (Date.now() > deadline) break;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
}

/** The tray as the main process sees it (electron/main/app-tray.ts describe()). */
export interface TraySnapshot {
  state: string;
  icon: string;
  tooltip: string;
  menu: string[];
}

export function traySnapshot(app: ElectronApplication): Promise<TraySnapshot> {
  return app.evaluate(() => (globalThis as unknown as { farmhandTestHooks: { tray(): TraySnapshot } }).farmhandTestHooks.tray());
}
