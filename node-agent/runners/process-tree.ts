import { spawn, type ChildProcess } from 'node:child_process';
import type { Readable } from 'node:stream';
import { StringDecoder } from 'node:string_decoder';
import { groupEnded, groupStarted } from './orphan-groups.js';

/**
 * Child processes as whole process groups. Renderers start helpers of their own (Blender's
 * Python, ffmpeg filters), so signalling only the direct child can leave orphans holding CPU
 * and files; a child started with `detached: true` leads its own group and `process.kill(-pid)`
 * reaches every member. Detached groups do not get the terminal's Ctrl-C, so groups still
 * alive when this process exits are terminated from an exit hook.
 */

const live = new Set<ChildProcess>();
let exitHookInstalled = false;

export interface GroupSpawnOptions {
  cwd?: string;
  env?: NodeJS.ProcessEnv;
}

/** Starts `command` as the leader of a new process group, with stdout/stderr piped and stdin closed. */
export function spawnProcessGroup(command: string, args: readonly string[], o: GroupSpawnOptions = {}): ChildProcess {
  const child = spawn(command, args, { cwd: o.cwd, env: o.env, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
  if (!exitHookInstalled) {
    exitHookInstalled = true;
    process.once('exit', () => {
      for (const c of live) {
        try {
          killTree(c, 'SIGTERM');
        } catch {
          // exiting anyway: nothing better to do with a group we may not signal
        }
      }
    });
  }
  live.add(child);
  if (child.pid !== undefined) groupStarted(child.pid);
  const forget = () => {
    live.delete(child);
    if (child.pid !== undefined) groupEnded(child.pid);
  };
  child.once('exit', forget);
  child.once('error', forget);
  return child;
}

/** Sends `signal` to the child's whole process group; a group that is already gone is not an error. */
export function killTree(child: ChildProcess, signal: NodeJS.Signals = 'SIGTERM'): void {
  if (child.pid === undefined) return;
  try {
    process.kill(-child.pid, signal);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ESRCH') throw error;
  }
}

/**
 * Calls `onLine` for every line of `stream`. Lines end at `\n`, `\r\n` or a lone `\r`
 * (progress printers overwrite a line with `\r`); bytes are decoded as UTF-8 across chunk
 * boundaries, and a last line without a newline is delivered when the stream ends.
 */
export function forEachLine(stream: Readable, onLine: (line: string) => void): void {
  const decoder = new StringDecoder('utf8');
  let pending = '';
  const split = (text: string, final: boolean) => {
    // Hold back a trailing "\r": the "\n" of its "\r\n" may arrive in the next chunk.
    const hold = !final && text.endsWith('\r');
    const parts = (hold ? text.slice(0, -1) : text).split(/\r\n|\n|\r/);
    const rest = parts.pop() ?? '';
    pending = hold ? `${rest}\r` : rest;
    for (const line of parts) onLine(line);
    if (final && pending !== '') {
      onLine(pending);
      pending = '';
    }
  };
  stream.on('data', (chunk: Buffer | string) => split(pending + (typeof chunk === 'string' ? chunk : decoder.write(chunk)), false));
  stream.on('end', () => split(pending + decoder.end(), true));
}

/** Resolves when the child has exited and its output streams are closed (so every line was delivered). */
export function waitForClose(child: ChildProcess): Promise<{ code: number | null; signal: NodeJS.Signals | null; error?: Error }> {
  return new Promise((resolve) => {
    let spawnError: Error | undefined;
    child.once('error', (error) => {
      spawnError = error;
      // A child that never started (no pid) has nothing left to wait for.
      if (child.pid === undefined) resolve({ code: null, signal: null, error });
    });
    child.once('close', (code, signal) => resolve({ code, signal, ...(spawnError ? { error: spawnError } : {}) }));
  });
}

/**
 * Waits for `closed` (the child's waitForClose); when `signal` aborts first, asks the whole
 * group to stop (SIGTERM) and kills it (SIGKILL) if it is still there after `graceMs`. Both
 * runners stop this way, so a task stop means the same for Blender and ffmpeg.
 */
export async function closeOrStopOnAbort<T>(child: ChildProcess, closed: Promise<T>, signal: AbortSignal, graceMs: number): Promise<T> {
  let killTimer: NodeJS.Timeout | undefined;
  const onAbort = () => {
    killTree(child, 'SIGTERM');
    killTimer = setTimeout(() => killTree(child, 'SIGKILL'), graceMs);
    killTimer.unref();
  };
  signal.addEventListener('abort', onAbort, { once: true });
  return closed.finally(() => {
    signal.removeEventListener('abort', onAbort);
    clearTimeout(killTimer);
  });
}
