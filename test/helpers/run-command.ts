import { spawn } from 'node:child_process';

export interface CommandRun {
  code: number | null;
  stdout: string;
  stderr: string;
}

/**
 * Runs `command` with `args` to its end (SIGKILL after `timeoutMs`), with discovery pinned to
 * loopback, and returns its exit code and output.
 */
export function runCommand(command: readonly string[], args: string[], o: { cwd: string; env: Record<string, string>; timeoutMs: number }): Promise<CommandRun> {
  const child = spawn(command[0]!, [...command.slice(1), ...args], { cwd: o.cwd, env: { ...process.env, FARMHAND_MDNS_INTERFACE: '127.0.0.1', ...o.env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout!.on('data', (d: Buffer) => (stdout += d));
  child.stderr!.on('data', (d: Buffer) => (stderr += d));
  const timer = setTimeout(() => child.kill('SIGKILL'), o.timeoutMs);
  return new Promise((resolve) => child.once('exit', (code) => {
    clearTimeout(timer);
    resolve({ code, stdout, stderr });
  }));
}
