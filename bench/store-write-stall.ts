import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { pathToFileURL } from 'node:url';
import type { JobRecord, JobSummary, TaskRecord } from '../electron/controller/model/job-model.js';
import { JobStore, summarizeJob } from '../electron/controller/store/job-store.js';

/**
 * How long does persistence stall the event loop while a big job streams task updates?
 * One job with 10,000 tasks, 500 `update()` calls per second for 3 s through the real
 * JobStore (coalesced, compact, atomic writes); the worst event-loop delay is what dispatch
 * would feel. Run: node --import tsx bench/store-write-stall.ts
 */

export interface StoreWriteStallOptions {
  tasks?: number;
  updatesPerSecond?: number;
  seconds?: number;
  /** The store's coalescing delay (default: the store's own default). */
  delayMs?: number;
}

export interface StoreWriteStallResult {
  maxStallMs: number;
  writes: number;
}

export interface StoreWriteStallDetails extends StoreWriteStallResult {
  p99StallMs: number;
  updates: number;
  jobWrites: number;
  indexWrites: number;
  documentBytes: number;
}

export async function runStoreWriteStallBench(o: StoreWriteStallOptions = {}): Promise<StoreWriteStallDetails> {
  const taskCount = o.tasks ?? 10_000;
  const rate = o.updatesPerSecond ?? 500;
  const durationMs = (o.seconds ?? 3) * 1000;
  const dir = await mkdtemp(join(tmpdir(), 'farmhand-bench-store-'));
  try {
    let counting = false;
    const writes = new Map<string, number>();
    const store = await JobStore.open(dir, {
      delayMs: o.delayMs,
      onWrite: (file) => counting && writes.set(file, (writes.get(file) ?? 0) + 1),
    });
    const job = makeJob('bench', taskCount);
    store.add(job, summarizeJob(job));
    await store.flush();
    const documentBytes = Buffer.byteLength(JSON.stringify(job));

    const summary: JobSummary = summarizeJob(job);
    const delay = monitorEventLoopDelay({ resolution: 1 });
    let probeMax = 0;
    let expected = performance.now() + 1;
    const probe = setInterval(() => {
      const now = performance.now();
      probeMax = Math.max(probeMax, now - expected);
      expected = now + 1;
    }, 1);

    counting = true;
    delay.enable();
    const start = performance.now();
    let updates = 0;
    await new Promise<void>((resolve) => {
      const tick = setInterval(() => {
        const elapsed = performance.now() - start;
        const due = Math.min(Math.floor((elapsed * rate) / 1000), Math.floor((durationMs * rate) / 1000));
        for (; updates < due; updates++) {
          const task = job.tasks[updates % taskCount]!;
          task.state = 'running';
          task.progress = (updates % 100) / 100;
          task.agentId = `agent-${updates % 8}`;
          summary.runningCount = Math.min(taskCount, updates + 1);
          store.update(job.id, { ...summary });
        }
        if (elapsed >= durationMs) {
          clearInterval(tick);
          resolve();
        }
      }, 2);
    });
    await store.flush();
    delay.disable();
    clearInterval(probe);
    counting = false;
    await store.close();

    const jobWrites = writes.get(join(dir, 'store', 'jobs', 'bench.json')) ?? 0;
    const indexWrites = writes.get(join(dir, 'store', 'index.json')) ?? 0;
    return {
      maxStallMs: round(Math.max(delay.max / 1e6, probeMax)),
      p99StallMs: round(delay.percentile(99) / 1e6),
      writes: jobWrites + indexWrites,
      updates,
      jobWrites,
      indexWrites,
      documentBytes,
    };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

function round(ms: number): number {
  return Math.round(ms * 10) / 10;
}

function makeJob(id: string, taskCount: number): JobRecord {
  const tasks: TaskRecord[] = Array.from({ length: taskCount }, (_, index) => ({
    id: `${id}-${index}`,
    jobId: id,
    index,
    label: `frames ${index * 10 + 1}-${index * 10 + 10}`,
    state: 'queued',
    attempt: 0,
    failures: 0,
    spec: { type: 'noop' },
    inputs: [],
    dependsOn: [],
    agentId: null,
    progress: 0,
    outputs: [],
    collected: [],
    error: null,
    startedAt: null,
    endedAt: null,
  }));
  return {
    id,
    name: 'store write stall',
    type: 'noop',
    priority: 0,
    createdAt: Date.now(),
    paused: false,
    failure: null,
    canceled: false,
    tags: [],
    outputDir: join(tmpdir(), 'farmhand-bench-out'),
    inputFiles: [],
    settings: {},
    tasks,
    endedAt: null,
  };
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const r = await runStoreWriteStallBench();
  console.log(`store write stall: ${r.updates} updates to a ${Math.round(r.documentBytes / 1024)} KiB job in 3 s`);
  console.log(`  max event-loop stall ${r.maxStallMs} ms (p99 ${r.p99StallMs} ms)`);
  console.log(`  writes ${r.writes} (job ${r.jobWrites}, index ${r.indexWrites})`);
}
