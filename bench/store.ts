import { newJob, newTask } from '../electron/controller/jobs/new-job.js';
import { runStoreWriteStallBench } from './store-write-stall.js';
import { row, round, type Row } from './lib/row.js';
import { max, median } from './lib/stats.js';

/** What this benchmark does, for BENCHMARKS.md. */
export const about =
  '`runStoreWriteStallBench()` (bench/store-write-stall.ts): one 10,000-task job, 500 `update()` calls/s for 3 s through the real JobStore; the worst event-loop delay and the number of document writes. Baseline: JSON.stringify of a job document of the same shape timed alone (the floor of rewriting the whole document). The brief sets no goal; the stall is judged against the dispatch p99 budget of 10 ms.';

/**
 * Store: how long persistence stalls the event loop while a 10,000-task job streams 500
 * updates/s for 3 s through the real JobStore (bench/store-write-stall.ts). The brief sets no
 * goal; the row is judged against the dispatch p99 budget (10 ms), since a stall that long
 * delays every dispatch behind it.
 */
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

export async function run(): Promise<Row[]> {
  const r = await runStoreWriteStallBench();
  const kib = Math.round(r.documentBytes / 1024);
  const stringify = stringifyBaseline(10_000, Math.max(5, r.jobWrites));
  return [
    row({
      bench: 'store',
      metric: 'max event-loop stall, 10,000-task job, 500 updates/s for 3 s',
      unit: 'ms',
      measured: r.maxStallMs,
      baseline: round(max(stringify), 1),
      baselineLabel: 'JSON.stringify of a same-size job document, max (the floor of a whole rewrite)',
      goal: { op: '<=', value: 10, source: 'derived: dispatch p99 budget' },
      note: `p99 stall ${r.p99StallMs} ms; ${r.updates} updates to a ${kib} KiB job document; stringify alone: median ${round(median(stringify), 1)} ms, max ${round(max(stringify), 1)} ms`,
    }),
    row({
      bench: 'store',
      metric: 'document writes during those 3 s',
      unit: 'count',
      measured: r.writes,
      note: `job file ${r.jobWrites}, index ${r.indexWrites}; ${r.updates} updates coalesced into ${r.writes} writes`,
    }),
  ];
}
