import { spawn, type ChildProcess, type SpawnOptions } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { createConnection } from 'node:net';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { sleep } from './scratch.js';

/**
 * Child processes the benchmarks start: every one is registered here and stopped by its own
 * pid when its benchmark ends, or at the latest when run-all exits. Nothing is ever killed by
 * name.
 */

export const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

const children = new Set<ChildProcess>();

export interface Child {
  process: ChildProcess;
  /** Everything it printed (capped), for error messages. */
  output(): string;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** SIGTERM, then SIGKILL after `graceMs`; resolves once it has exited. */
  stop(graceMs?: number): Promise<void>;
}

export function startChild(command: string, args: string[], o: SpawnOptions = {}): Child {
  const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'], ...o });
  children.add(child);
  let text = '';
  const keep = (chunk: Buffer) => {
    text += chunk.toString();
    if (text.length > 64_000) text = text.slice(-32_000);
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => {
    child.once('error', (error) => {
      keep(Buffer.from(`\n[spawn error] ${error.message}\n`));
      children.delete(child);
      resolve({ code: null, signal: null });
    });
    // 'exit' can come before the last of its output is read: wait for the pipes to close
    // ('close'), or 1 s more when a grandchild still holds them, so error messages are whole.
    child.once('exit', (code, signal) => {
      children.delete(child);
      const late = setTimeout(() => resolve({ code, signal }), 1000);
      child.once('close', () => {
        clearTimeout(late);
        resolve({ code, signal });
      });
    });
  });
  return {
    process: child,
    output: () => text,
    exited,
    async stop(graceMs = 3000) {
      if (child.exitCode !== null || child.signalCode !== null || !children.has(child)) return;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
      await exited;
      clearTimeout(timer);
    },
  };
}

/** Last resort on exit: SIGKILL every child still registered, each by its own pid. */
export function killRemainingChildren(): void {
  for (const child of children) {
    try {
      child.kill('SIGKILL');
    } catch {
      // already gone
    }
  }
  children.clear();
}

export { freePort } from '../../test/helpers/free-port.js';

/** Resolves once something accepts TCP connections on 127.0.0.1:port; rejects if `child` exits first. */
export async function waitForPort(port: number, child: Child, timeoutMs: number): Promise<void> {
  const deadline = performance.now() + timeoutMs;
  for (let i = 0; i < 2000 && performance.now() < deadline; i++) {
    if (child.process.exitCode !== null || child.process.signalCode !== null) {
      throw new Error(`the process exited (code ${child.process.exitCode}) before listening on ${port}:\n${child.output().slice(-2000)}`);
    }
    const open = await new Promise<boolean>((resolve) => {
      const socket = createConnection({ host: '127.0.0.1', port });
      socket.once('connect', () => {
        socket.destroy();
        resolve(true);
      });
      socket.once('error', () => resolve(false));
    });
    if (open) return;
    await sleep(20);
  }
  throw new Error(`nothing listened on 127.0.0.1:${port} within ${timeoutMs} ms:\n${child.output().slice(-2000)}`);
}

/**
 * How to start a compiled CLI. `node bin/<name>.js` when dist/ (and its bundle) is at least
 * as new as every source it is built from. Otherwise (someone edited a source since the last `npm run build`)
 * the benchmarks never measure the stale build: they compile the sources once into
 * bench/.build (tsc, no type check, then the bundle, ~4 s; that folder ignores itself in git) and run that;
 * if even that fails, the TypeScript source through tsx (slower start-up only).
 * Call prepareCli() once before cliCommand().
 */
export interface CliCommand {
  command: string;
  args: string[];
  reason: string;
}

const PRIVATE_BUILD = join(ROOT, 'bench', '.build');
const ENTRY = { 'farmhand-agent': 'node-agent/cli', farmhand: 'electron/cli/farmhand' } as const;
let prepared: 'dist' | 'private' | 'tsx' | null = null;
let preparedReason = '';

export async function prepareCli(): Promise<void> {
  if (prepared) return;
  const stale = staleBuild(join(ROOT, 'dist'));
  if (stale === null) {
    prepared = 'dist';
    preparedReason = 'built CLI in dist/ (up to date)';
    return;
  }
  if (staleBuild(PRIVATE_BUILD) === null) {
    prepared = 'private';
    preparedReason = `bench/.build (dist/ is stale: ${stale})`;
    return;
  }
  mkdirSync(PRIVATE_BUILD, { recursive: true });
  writeFileSync(join(PRIVATE_BUILD, '.gitignore'), '*\n');
  const tsc = join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc');
  const startedAt = Date.now() - 1000;
  const build = startChild(process.execPath, [tsc, '-p', join(ROOT, 'tsconfig.json'), '--outDir', PRIVATE_BUILD, '--noCheck', '--sourceMap', 'false'], { cwd: ROOT });
  const timer = setTimeout(() => void build.stop(), 60_000);
  await build.exited;
  clearTimeout(timer);
  const bundle = startChild(process.execPath, [join(ROOT, 'scripts', 'bundle.mjs'), PRIVATE_BUILD], { cwd: ROOT });
  const bundleTimer = setTimeout(() => void bundle.stop(), 60_000);
  await bundle.exited;
  clearTimeout(bundleTimer);
  // Sources edited during the compile may already be newer again; what matters is that the
  // compile of this moment's sources produced the entry points.
  if (Object.keys(ENTRY).every((bin) => existsSync(join(PRIVATE_BUILD, 'bundle', `${bin}.cjs`)) && statSync(join(PRIVATE_BUILD, 'bundle', `${bin}.cjs`)).mtimeMs >= startedAt)) {
    prepared = 'private';
    preparedReason = `compiled into bench/.build for this run (dist/ is stale: ${stale})`;
  } else {
    prepared = 'tsx';
    preparedReason = `TypeScript source through tsx (dist/ is stale: ${stale}; compiling failed: ${build.output().slice(0, 300)})`;
  }
}

export function cliCommand(bin: keyof typeof ENTRY): CliCommand {
  if (!prepared) throw new Error('call prepareCli() first');
  if (prepared === 'dist') return { command: process.execPath, args: [join(ROOT, 'bin', `${bin}.js`)], reason: preparedReason };
  if (prepared === 'private') return { command: process.execPath, args: [join(PRIVATE_BUILD, 'bundle', `${bin}.cjs`)], reason: preparedReason };
  return { command: process.execPath, args: ['--import', 'tsx', join(ROOT, `${ENTRY[bin]}.ts`)], reason: preparedReason };
}

/** null when `outDir` holds a .js at least as new as every source .ts; otherwise why not. */
export function staleBuild(outDir: string): string | null {
  const walk = (dir: string): string[] => readdirSync(join(ROOT, dir), { withFileTypes: true }).flatMap((e) => {
    const path = join(dir, e.name);
    if (e.isDirectory()) return walk(path);
    return e.name.endsWith('.ts') && !e.name.endsWith('.test.ts') && !e.name.endsWith('.d.ts') ? [path] : [];
  });
  for (const source of [...walk('node-agent'), ...walk('electron/controller'), ...walk('electron/cli')]) {
    const built = join(outDir, source.replace(/\.ts$/, '.js'));
    if (!existsSync(built)) return `no ${relative(ROOT, built)}`;
    if (statSync(join(ROOT, source)).mtimeMs > statSync(built).mtimeMs) return `${source} is newer than its build`;
  }
  // The launchers run the bundle (scripts/bundle.mjs), made from the compiled files.
  for (const [bin, entry] of Object.entries(ENTRY)) {
    const bundle = join(outDir, 'bundle', `${bin}.cjs`);
    if (!existsSync(bundle)) return `no ${relative(ROOT, bundle)}`;
    if (statSync(join(outDir, `${entry}.js`)).mtimeMs > statSync(bundle).mtimeMs) return `${relative(ROOT, bundle)} is older than the compiled files`;
  }
  return null;
}
