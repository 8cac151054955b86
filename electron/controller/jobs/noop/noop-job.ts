import type { JobRecord } from '../../model/job-model.js';
import { newJob, newJobId, newTask } from '../new-job.js';

/** A job of no-op tasks: measures the farm's own overhead in benchmarks and tests. */
export function compileNoopJob(o: { count: number; durationMs?: number; outputBytes?: number; failWith?: string; unrecoverable?: boolean; log?: string; taskTimeoutMs?: number; outputDir: string; priority?: number; tags?: string[]; name?: string; maxAttempts?: number }): JobRecord {
  const id = newJobId();
  const spec = {
    type: 'noop' as const,
    ...(o.durationMs ? { durationMs: o.durationMs } : {}),
    ...(o.outputBytes ? { outputBytes: o.outputBytes } : {}),
    ...(o.failWith ? { failWith: o.failWith } : {}),
    ...(o.unrecoverable ? { unrecoverable: true } : {}),
    ...(o.log ? { log: o.log } : {}),
  };
  const tasks = Array.from({ length: o.count }, (_, i) => newTask(id, i, `noop ${i + 1}`, spec, []));
  return newJob({ id, name: o.name ?? `noop×${o.count}`, type: 'noop', priority: o.priority ?? 50, tags: o.tags ?? [], outputDir: o.outputDir, inputFiles: [], settings: { maxAttempts: o.maxAttempts ?? 3, taskTimeoutMs: o.taskTimeoutMs ?? 600_000 }, tasks });
}
