import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { connectApi, type ApiClient } from '../../../electron/controller/api/api-client.js';

/**
 * A real `farmhand controller` for the browser tests: the built CLI, its local agent, its own
 * FARMHAND_HOME and output folder in the test's scratch dir, no discovery (nothing leaves
 * loopback), a free port. Gives the UI link it prints and an API client for checking outcomes.
 */
const root = fileURLToPath(new URL('../../..', import.meta.url));

export interface UiController {
  /** http://127.0.0.1:PORT/#token=… as printed */
  uiUrl: string;
  /** http://127.0.0.1:PORT/ without the token */
  baseUrl: string;
  api: ApiClient;
  output(): string;
  stop(): Promise<void>;
}

/** `args`: more `farmhand controller` options (`--no-local-agent` for a farm with no agent at all). */
export async function startUiController(dir: string, o: { args?: string[] } = {}): Promise<UiController> {
  if (!existsSync(join(root, 'dist/renderer/index.html')) || !existsSync(join(root, 'dist/bundle/farmhand.cjs'))) {
    throw new Error('Farmhand is not built; run `npm run build` before the e2e tests.');
  }
  const child: ChildProcess = spawn(process.execPath, [join(root, 'bin/farmhand.js'), 'controller', '--port', '0', '--no-discover', '--output-root', join(dir, 'out'), ...(o.args ?? [])], {
    cwd: root,
    env: { ...process.env, FARMHAND_HOME: join(dir, 'home'), FARMHAND_MDNS_INTERFACE: '127.0.0.1' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stderr!.on('data', (d: Buffer) => (stderr += d));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const urls = await new Promise<{ ui: string; ws: string }>((resolve, reject) => {
    // A first start checks the local agent's tools (~10 s here alone); several test runs at once on 2 cores take longer.
    const timer = setTimeout(() => reject(new Error(`the controller printed no URL within 60 s; stderr: ${stderr}`)), 60_000);
    child.stdout!.on('data', (d: Buffer) => {
      stdout += d;
      const ui = /Farmhand UI: (http:\/\/\S+)/.exec(stdout);
      const ws = /listening on (ws:\/\/\S+)/.exec(stdout);
      if (ui && ws) {
        clearTimeout(timer);
        resolve({ ui: ui[1]!, ws: ws[1]! });
      }
    });
    void exited.then((code) => reject(new Error(`the controller exited (${code}) before listening: ${stderr}`)));
  });
  const token = decodeURIComponent(/#token=(.+)$/.exec(urls.ui)![1]!);
  const api = await connectApi(urls.ws, token);
  return {
    uiUrl: urls.ui,
    baseUrl: urls.ui.replace(/#.*$/, ''),
    api,
    output: () => `${stdout}\n${stderr}`,
    async stop() {
      await api.close().catch(() => undefined);
      if (child.exitCode === null) child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
      await exited;
      clearTimeout(timer);
    },
  };
}

/** Polls `check` until it returns a value (not undefined), at most `timeoutMs`. */
export async function eventually<T>(what: string, timeoutMs: number, check: () => Promise<T | undefined>): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (let i = 0; i < 10_000 && Date.now() < deadline; i++) {
    try {
      const value = await check();
      if (value !== undefined) return value;
    } catch (error) {
      last = error;
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${last ? ` (last error: ${(last as Error).message})` : ''}`);
}
