import { readFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';

/**
 * Where the CPU went during a measurement: this process (cpuUsage, event-loop utilisation)
 * and child processes by pid (/proc/<pid>/stat, Linux only; null elsewhere).
 */

const CLOCK_TICKS_PER_SECOND = 100; // getconf CLK_TCK on Linux

/** User and system CPU seconds a process (all its threads) has used so far, or null when it cannot be read. */
export function processCpuSeconds(pid: number): { user: number; system: number } | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name (field 2) may hold spaces; the fields after its closing ')' are fixed.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const utime = Number(fields[11]);
    const stime = Number(fields[12]);
    return Number.isFinite(utime) && Number.isFinite(stime) ? { user: utime / CLOCK_TICKS_PER_SECOND, system: stime / CLOCK_TICKS_PER_SECOND } : null;
  } catch {
    return null;
  }
}

export interface CpuWindow {
  /** CPU seconds this process used / wall seconds (1.0 = one core busy). */
  selfCores: number;
  /** Share of wall time this process's event loop was busy (0..1). */
  eventLoopBusy: number;
  /** Sum over the watched children: CPU seconds / wall seconds, or null when unreadable. */
  childCores: number | null;
  /** The part of childCores spent in the kernel (system time). */
  childSystemCores: number | null;
  /** This process's system (kernel) time / wall seconds. */
  selfSystemCores: number;
  wallSeconds: number;
}

export function startCpuWindow(childPids: number[] = []): { stop(): CpuWindow } {
  const t0 = performance.now();
  const self0 = process.cpuUsage();
  const elu0 = performance.eventLoopUtilization();
  const child0 = childPids.map(processCpuSeconds);
  return {
    stop() {
      const wallSeconds = (performance.now() - t0) / 1000;
      const self = process.cpuUsage(self0);
      const elu = performance.eventLoopUtilization(elu0);
      const child1 = childPids.map(processCpuSeconds);
      let childSeconds: number | null = 0;
      let childSystem = 0;
      for (let i = 0; i < childPids.length; i++) {
        const a = child0[i];
        const b = child1[i];
        if (a == null || b == null || childSeconds === null) childSeconds = null;
        else {
          childSeconds += b.user + b.system - a.user - a.system;
          childSystem += b.system - a.system;
        }
      }
      return {
        selfCores: (self.user + self.system) / 1e6 / wallSeconds,
        selfSystemCores: self.system / 1e6 / wallSeconds,
        childSystemCores: childSeconds === null ? null : childSystem / wallSeconds,
        eventLoopBusy: elu.utilization,
        childCores: childSeconds === null ? null : childSeconds / wallSeconds,
        wallSeconds,
      };
    },
  };
}
