import { newJob, newTask } from '../electron/controller/jobs/new-job.js';
import { runStoreStartupBench } from './store-startup.js';
import { measureNoiseFloor, runStoreWriteStallBench, type StoreWriteStallDetails } from './store-write-stall.js';
import { row, round, type Row } from './lib/row.js';
import { max, median } from './lib/stats.js';

/** What this benchmark does, for BENCHMARKS.md. */
export const about =
  'Start-up (bench/store-startup.ts): 10 jobs × 10,000 tasks written through the real JobStore, then `JobStore.open` in a fresh process running a bundle of the store; its time and the RSS after it (goals from the brief: ≤ 1 s, ≤ 300 MiB), for tasks shaped like the write-stall ones and, for information, for heavier Blender tasks half finished with outputs. Baseline: reading and JSON.parse of the same files alone in that process. Write stall (bench/store-write-stall.ts): one 10,000-task job, 500 `update(jobId, summary, task)` calls/s for 3 s through the real JobStore, tasks in order (a render) and scattered over the job (every page dirty); the worst event-loop delay (goal: the dispatch p99 budget of 10 ms; the same loop without the store is timed too, as the machine\'s noise floor), writes per second, and how long `whenSaved` takes after a success. Baseline: JSON.stringify of the whole job document, which the store rewrote on every change before it kept tasks in pages.';

/** The floor of any whole-document rewrite: JSON.stringify of a job of the same shape, timed alone. */
function stringifyBaseline(taskCount: number, times: number): number[] {
  const id = 'bench';
  const tasks = Array.from({ length: taskCount }, (_, i) => ({
    ...newTask(id, i, `frames ${i * 10 + 1}-${i * 10 + 10}`, { type: 'noop' as const }, []),
    state: 'running' as const,
    progress: 0.42,
    agentId: `agent-${i % 8}`,
  }));
  const job = newJob({ id, name: 'store write stall', type: 'noop', priority: 0, tags: [], outputDir: '/tmp/farmhand-bench-out', inputFiles: [], settings: {}, tasks });
  const samples: number[] = [];
  for (let i = 0; i < times; i++) {
    const started = performance.now();
    JSON.stringify(job);
    samples.push(performance.now() - started);
  }
  return samples;
}

const MIB = 1024 * 1024;

function stallRows(pattern: string, r: StoreWriteStallDetails, stringify: number[], noise: { maxMs: number; p99Ms: number }): Row[] {
  return [
    row({
      bench: 'store',
      metric: `max event-loop stall, 500 task updates/s into a 10,000-task job for 3 s, ${pattern}`,
      unit: 'ms',
      measured: r.maxStallMs,
      baseline: round(max(stringify), 1),
      baselineLabel: 'JSON.stringify of the whole job document, max (what every rewrite cost before task pages)',
      goal: { op: '<=', value: 10, source: 'derived: dispatch p99 budget' },
      note: `p99 stall ${r.p99StallMs} ms; longest GC pause ${r.gcPauseMaxMs} ms; the same loop without the store (the machine's own noise): max ${noise.maxMs} ms, p99 ${noise.p99Ms} ms; ${r.updates} updates; whole job ${Math.round(r.jobBytes / 1024)} KiB, stringify alone median ${round(median(stringify), 1)} ms`,
    }),
    row({
      bench: 'store',
      metric: `document writes per second during those 3 s, ${pattern}`,
      unit: 'count',
      measured: r.writesPerSecond,
      note: `${r.writes} writes: task pages ${r.pageWrites}, job document ${r.documentWrites}, index ${r.indexWrites}; ${r.updates} updates coalesced into them`,
    }),
    row({
      bench: 'store',
      metric: `whenSaved(job, task) after a task success, p99, ${pattern}`,
      unit: 'ms',
      measured: r.savedP99Ms,
      note: `p50 ${r.savedP50Ms} ms, max ${r.savedMaxMs} ms over ${r.savedCount} successes; no write of its own (it rides on the coalesced ones)`,
    }),
  ];
}

export async function run(): Promise<Row[]> {
  const startup = await runStoreStartupBench({ shape: 'compact' });
  const blender = await runStoreStartupBench({ shape: 'blender' });
  const noise = await measureNoiseFloor();
  const sequential = await runStoreWriteStallBench({ pattern: 'sequential' });
  const scattered = await runStoreWriteStallBench({ pattern: 'scattered' });
  const stringify = stringifyBaseline(10_000, 20);
  return [
    row({
      bench: 'store',
      metric: 'JobStore.open with 100,000 stored tasks (10 jobs × 10,000, the write-stall task shape), fresh process',
      unit: 'ms',
      measured: round(startup.openMs, 1),
      baseline: round(startup.parseOnlyMs, 1),
      baselineLabel: 'reading and JSON.parse of the same files one by one, nothing else',
      goal: { op: '<=', value: 1000, source: 'brief' },
      note: `${startup.files} files, ${Math.round(startup.storedBytes / MIB)} MiB of JSON; ${startup.problems} problems reported`,
    }),
    row({
      bench: 'store',
      metric: 'RSS after JobStore.open with 100,000 stored tasks',
      unit: 'bytes',
      measured: startup.rssBytes,
      baseline: startup.rssBeforeBytes,
      baselineLabel: 'RSS of the same process before open (Node and the bundle)',
      goal: { op: '<=', value: 300 * MIB, source: 'brief: 300 MB (MiB here)' },
      note: `${Math.round(startup.rssBytes / MIB)} MiB after a GC (${Math.round(startup.rssBeforeBytes / MIB)} MiB before open); JS heap in use ${Math.round(startup.heapUsedBytes / MIB)} MiB`,
    }),
    row({
      bench: 'store',
      metric: 'JobStore.open with 100,000 Blender tasks, half finished with outputs (heavier: ≈ 540 B each)',
      unit: 'ms',
      measured: round(blender.openMs, 1),
      baseline: round(blender.parseOnlyMs, 1),
      baselineLabel: 'reading and JSON.parse of the same files one by one, nothing else',
      note: `${blender.files} files, ${Math.round(blender.storedBytes / MIB)} MiB of JSON; RSS after ${Math.round(blender.rssBytes / MIB)} MiB, JS heap ${Math.round(blender.heapUsedBytes / MIB)} MiB; ${blender.problems} problems reported`,
    }),
    ...stallRows('tasks in order', sequential, stringify, noise),
    ...stallRows('tasks scattered', scattered, stringify, noise),
  ];
}
