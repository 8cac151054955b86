import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** A fresh temp folder per benchmark, removed afterwards; HOME-like folders for Blender inside it. */
export async function scratchDir(prefix: string): Promise<{ dir: string; home: string; cleanup(): Promise<void> }> {
  const dir = await mkdtemp(join(tmpdir(), `farmhand-bench-${prefix}-`));
  const home = join(dir, 'home');
  await mkdir(join(home, '.cache'), { recursive: true });
  return { dir, home, cleanup: () => rm(dir, { recursive: true, force: true, maxRetries: 3 }) };
}

/** Environment for child processes: a scratch HOME (Blender writes there), mDNS pinned to loopback. */
export function childEnv(home: string, extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  return {
    ...process.env,
    HOME: home,
    XDG_CACHE_HOME: join(home, '.cache'),
    FARMHAND_MDNS_INTERFACE: '127.0.0.1',
    FARMHAND_FARM_KEY: '',
    ...extra,
  };
}

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** Polls `predicate` every `everyMs` until it holds; throws after `timeoutMs` (bounded in count too). */
export async function waitFor(predicate: () => boolean, what: string, timeoutMs: number, everyMs = 5): Promise<void> {
  const deadline = performance.now() + timeoutMs;
  const maxPolls = Math.ceil(timeoutMs / everyMs) + 10;
  for (let i = 0; i < maxPolls; i++) {
    if (predicate()) return;
    if (performance.now() > deadline) break;
    await sleep(everyMs);
  }
  if (predicate()) return;
  throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
}

/** Rejects after `ms` unless `promise` settles first (the timer never keeps the process alive). */
export function withTimeout<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} did not finish within ${Math.round(ms / 1000)} s`)), ms);
    timer.unref();
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}
