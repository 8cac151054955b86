import { readFileSync } from 'node:fs';
import type { ChildProcess } from 'node:child_process';

/**
 * What a fuzz test watches of a live process: that it is still running, its resident memory
 * (from /proc, so it is the child's own figure), and how many bytes it wrote to its output
 * (a flood must not turn into a flood of log lines).
 */

/** The process's resident set in MB (VmRSS of /proc/PID/status). */
export function rssMb(pid: number): number {
  const kb = /VmRSS:\s+(\d+)\s+kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1];
  if (kb === undefined) throw new Error(`no VmRSS for process ${pid}`);
  return Number(kb) / 1024;
}

/** Running: not exited, not killed, and the pid answers signal 0. */
export function isAlive(child: ChildProcess): boolean {
  if (child.exitCode !== null || child.signalCode !== null || child.pid === undefined) return false;
  try {
    process.kill(child.pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** Counts the bytes and lines a child writes to stdout and stderr together. */
export class OutputMeter {
  bytes = 0;
  lines = 0;
  constructor(child: ChildProcess) {
    const count = (data: Buffer) => {
      this.bytes += data.length;
      for (const b of data) if (b === 0x0a) this.lines++;
    };
    child.stdout?.on('data', count);
    child.stderr?.on('data', count);
  }
  mark(): { bytes: number; lines: number } {
    return { bytes: this.bytes, lines: this.lines };
  }
  since(mark: { bytes: number; lines: number }): { bytes: number; lines: number } {
    return { bytes: this.bytes - mark.bytes, lines: this.lines - mark.lines };
  }
}

/**
 * The RSS once a flood is over: a child cannot be made to collect garbage (no --expose-gc), so
 * it first gets `settleMs`, then (bounded) until its RSS is within `withinMb` of `baselineMb`,
 * sampled every 250 ms. Returns the last sample.
 */
export async function settledRssMb(pid: number, baselineMb: number, withinMb: number, timeoutMs: number, settleMs = 2000): Promise<number> {
  const deadline = Date.now() + timeoutMs;
  await new Promise((r) => setTimeout(r, settleMs));
  let rss = rssMb(pid);
  for (let i = 0; i < 1000 && rss - baselineMb > withinMb && Date.now() < deadline; i++) {
    await new Promise((r) => setTimeout(r, 250));
    rss = rssMb(pid);
  }
  return rss;
}

/** Samples the RSS every `everyMs` until stopped; the peak is what a flood cost at most. */
export function watchPeakRss(pid: number, everyMs = 100): { stop(): number } {
  let peak = rssMb(pid);
  const timer = setInterval(() => {
    try {
      peak = Math.max(peak, rssMb(pid));
    } catch {
      // the process is gone; the test's liveness check says so
    }
  }, everyMs);
  return {
    stop() {
      clearInterval(timer);
      return peak;
    },
  };
}
