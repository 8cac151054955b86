import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { AgentSettings } from '../../electron/controller/agents/agent-settings.js';
import { loadOrCreateApiToken } from '../../electron/controller/api/api-token.js';
import { startApiServer, type ApiServer } from '../../electron/controller/api/api-server.js';
import { createFarmService } from '../../electron/controller/api/farm-service.js';
import { createStaticFileHandler } from '../../electron/controller/api/static-files.js';
import type { Controller } from '../../electron/controller/create-controller.js';
import { launchBrowser, type TestBrowser } from '../../test/e2e/helpers/browser.js';
import { ROOT } from './processes.js';

/**
 * What the UI benchmarks share: the renderer built fresh into bench/.build/renderer, the farm
 * service and API server of an in-process controller serving it on loopback, and the e2e
 * tests' headless Debian Chromium (nothing reachable but 127.0.0.1, 1280×900) on its page.
 */

export function buildRendererForBench(): string {
  const out = join(ROOT, 'bench', '.build', 'renderer');
  execFileSync(process.execPath, [join(ROOT, 'scripts', 'build-renderer.mjs'), out], { cwd: ROOT, stdio: 'pipe', timeout: 120_000 });
  return out;
}

export interface ServedUi {
  service: ReturnType<typeof createFarmService>;
  server: ApiServer;
  browser: TestBrowser;
  page: Page;
  /** The page's address with its token. */
  url: string;
  close(): Promise<void>;
}

/** Serves `uiFolder` and the API of `controller`, and opens a page on it (not yet navigated: add init scripts first). */
export async function serveUi(o: { controller: Controller; home: string; outputRoot: string; uiFolder: string }): Promise<ServedUi> {
  const cleanups: (() => Promise<unknown>)[] = [];
  try {
    const agentSettings = await AgentSettings.open(o.home);
    cleanups.push(() => agentSettings.close());
    const service = createFarmService(o.controller, { outputRoot: o.outputRoot, home: o.home, agentSettings });
    const token = await loadOrCreateApiToken(o.home);
    const server = await startApiServer({ api: service.api, onEvent: service.onEvent, token, host: '127.0.0.1', port: 0, onHttpRequest: createStaticFileHandler({ root: o.uiFolder }) });
    cleanups.push(() => server.close());
    const browser = await launchBrowser();
    cleanups.push(() => browser.close());
    const page = await browser.newPage();
    return {
      service,
      server,
      browser,
      page,
      url: `http://127.0.0.1:${server.port}/#token=${encodeURIComponent(token)}`,
      close: async () => {
        for (const c of cleanups.reverse()) await c().catch(() => undefined);
      },
    };
  } catch (error) {
    for (const c of cleanups.reverse()) await c().catch(() => undefined);
    throw error;
  }
}

/** A deterministic spread of numbers in [lo, hi) (a small LCG): the same task lengths every run. */
export function spread(count: number, lo: number, hi: number, seed = 12345): number[] {
  let x = seed >>> 0;
  return Array.from({ length: count }, () => {
    x = (Math.imul(x, 1664525) + 1013904223) >>> 0;
    return lo + Math.floor((x / 2 ** 32) * (hi - lo));
  });
}
