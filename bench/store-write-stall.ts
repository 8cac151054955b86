import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { monitorEventLoopDelay, PerformanceObserver } from 'node:perf_hooks';
import { pathToFileURL } from 'node:url';
import type { JobRecord, JobSummary, TaskRecord } from '../electron/controller/model/job-model.js';
import { JobStore, summarizeJob } from '../electron/controller/store/job-store.js';
import { percentile } from './lib/stats.js';

/**
 * How long does persistence stall the event loop while a big job streams task updates?
 * One job with 10,000 tasks, 500 `update(jobId, summary, task)` calls per second for 3 s
 * through the real JobStore (task pages, coalesced, compact, atomic writes), after one
 * unmeasured second; the worst event-loop delay is what dispatch would feel. Every fifth
 * update is a task success whose `whenSaved` is timed: the scheduler acks outputs after it.
 *   sequential: tasks in order (a render going through its frames: one hot page at a time)
 *   scattered:  tasks all over the job (every page dirty all the time: the worst case)
 * Run: node --import tsx bench/store-write-stall.ts
 */

export type UpdatePattern = 'sequential' | 'scattered';

const WARM_UP_MS = 1000;

export interface StoreWriteStallOptions {
  tasks?: number;
  updatesPerSecond?: number;
  seconds?: number;
  pattern?: UpdatePattern;
  /** The store's coalescing delay (default: the store's own default). */
  delayMs?: number;
  /** Tasks per page (default: the store's own default). */
  taskPageSize?: number;
  /** Share of the main thread for writes (default: the store's own default). */
  busyShare?: number;
}

export interface StoreWriteStallResult {
  maxStallMs: number;
  writes: number;
}

export interface StoreWriteStallDetails extends StoreWriteStallResult {
  p99StallMs: number;
  /** The longest garbage-collection pause in the measured window. */
  gcPauseMaxMs: number;
  updates: number;
  writesPerSecond: number;
  pageWrites: number;
  documentWrites: number;
  indexWrites: number;
  /** The whole job as one JSON document, for comparison with the page size. */
  jobBytes: number;
  /** Time from a success's update() until whenSaved resolved. */
  savedP50Ms: number;
  savedP99Ms: number;
  savedMaxMs: number;
  savedCount: number;
}

export async function runStoreWriteStallBench(o: StoreWriteStallOptions = {}): Promise<StoreWriteStallDetails> {
  const taskCount = o.tasks ?? 10_000;
  const rate = o.updatesPerSecond ?? 500;
  const durationMs = (o.seconds ?? 3) * 1000;
  const pick = o.pattern === 'scattered' ? (n: number) => (n * 7_919) % taskCount : (n: number) => n % taskCount;
  const dir = await mkdtemp(join(tmpdir(), 'farmhand-bench-store-'));
  try {
    let counting = false;
    const writes = new Map<string, number>();
    const store = await JobStore.open(dir, {
      delayMs: o.delayMs,
      taskPageSize: o.taskPageSize,
      busyShare: o.busyShare,
      onWrite: (file) => counting && writes.set(file, (writes.get(file) ?? 0) + 1),
    });
    const job = makeJob('bench', taskCount);
    store.add(job, summarizeJob(job));
    await store.flush();
    const jobBytes = Buffer.byteLength(JSON.stringify(job));

    const summary: JobSummary = summarizeJob(job);
    const saved: number[] = [];
    let updates = 0;
    let timing = false;
    const streamFor = (ms: number) => {
      const first = updates;
      return every2ms(ms, (elapsed) => {
        const due = first + Math.min(Math.floor((elapsed * rate) / 1000), Math.floor((ms * rate) / 1000));
        for (; updates < due; updates++) {
          const task = job.tasks[pick(updates)]!;
          const success = updates % 5 === 4;
          task.state = success ? 'succeeded' : 'running';
          task.progress = success ? 1 : (updates % 100) / 100;
          task.agentId = `agent-${updates % 8}`;
          summary.runningCount = Math.min(taskCount, updates + 1);
          store.update(job.id, { ...summary }, task);
          if (success && timing) {
            const asked = performance.now();
            void store.whenSaved(job.id, task).then(() => saved.push(performance.now() - asked));
          }
        }
      });
    };
    // Not measured: the new job's objects reach the old generation and the writers find their
    // rhythm, as in a controller that has been running for a while.
    settleHeap();
    await streamFor(WARM_UP_MS);
    await store.flush();

    counting = true;
    timing = true;
    const first = updates;
    const watch = watchEventLoop();
    const gc = watchGc();
    const elapsedMs = await streamFor(durationMs);
    await store.flush();
    const stall = watch.stop();
    const gcPauseMaxMs = gc.stop();
    counting = false;
    await store.close();

    let pageWrites = 0;
    let documentWrites = 0;
    let indexWrites = 0;
    for (const [file, count] of writes) {
      if (basename(file) === 'index.json') indexWrites += count;
      else if (basename(file) === 'job.json') documentWrites += count;
      else pageWrites += count;
    }
    const total = pageWrites + documentWrites + indexWrites;
    return {
      maxStallMs: stall.maxMs,
      gcPauseMaxMs,
      p99StallMs: stall.p99Ms,
      writes: total,
      writesPerSecond: round(total / (elapsedMs / 1000)),
      updates: updates - first,
      pageWrites,
      documentWrites,
      indexWrites,
      jobBytes,
      savedP50Ms: round(percentile(saved, 50)),
      savedP99Ms: round(percentile(saved, 99)),
      savedMaxMs: round(Math.max(...saved)),
      savedCount: saved.length,
    };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/**
 * The same loop for the same time with no store: the event-loop noise of the machine itself
 * (timer granularity, other processes on the cores), to read the store's figure against.
 */
export async function measureNoiseFloor(seconds = 3): Promise<{ maxMs: number; p99Ms: number }> {
  const watch = watchEventLoop();
  await every2ms(seconds * 1000, () => undefined);
  return watch.stop();
}

/** The worst event-loop delay from two probes: Node's histogram and a 1 ms interval that checks its own lateness. */
function watchEventLoop(): { stop(): { maxMs: number; p99Ms: number } } {
  const delay = monitorEventLoopDelay({ resolution: 1 });
  let probeMax = 0;
  let expected = performance.now() + 1;
  const probe = setInterval(() => {
    const now = performance.now();
    probeMax = Math.max(probeMax, now - expected);
    expected = now + 1;
  }, 1);
  delay.enable();
  return {
    stop() {
      delay.disable();
      clearInterval(probe);
      return { maxMs: round(Math.max(delay.max / 1e6, probeMax)), p99Ms: round(delay.percentile(99) / 1e6) };
    },
  };
}

/**
 * A job made just before the measurement is still in the young generation, and the first
 * scavenges would copy all of it (10+ ms): a bench artefact, since a controller's jobs are old.
 * Short-lived garbage makes the collector run until they are promoted.
 */
function settleHeap(): void {
  for (let round = 0; round < 4; round++) {
    let sink: unknown[] = [];
    for (let i = 0; i < 200_000; i++) sink.push({ i, pad: [i, i] });
    sink = [];
  }
}

/** The longest GC pause while watched. */
function watchGc(): { stop(): number } {
  let longest = 0;
  const observer = new PerformanceObserver((list) => {
    for (const entry of list.getEntries()) longest = Math.max(longest, entry.duration);
  });
  observer.observe({ entryTypes: ['gc'] });
  return {
    stop() {
      observer.disconnect();
      return round(longest);
    },
  };
}

/** Calls `step(elapsedMs)` every 2 ms for `durationMs`; resolves with the time it really took. */
function every2ms(durationMs: number, step: (elapsedMs: number) => void): Promise<number> {
  const start = performance.now();
  return new Promise((resolve) => {
    const tick = setInterval(() => {
      const elapsed = performance.now() - start;
      step(elapsed);
      if (elapsed >= durationMs) {
        clearInterval(tick);
        resolve(performance.now() - start);
      }
    }, 2);
  });
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
  const noise = await measureNoiseFloor();
  console.log(`noise floor (the same loop, no store): max ${noise.maxMs} ms, p99 ${noise.p99Ms} ms`);
  const size = process.argv[2] ? Number(process.argv[2]) : undefined;
  const busyShare = process.argv[3] ? Number(process.argv[3]) : undefined;
  for (const pattern of ['sequential', 'scattered'] as const) {
    const r = await runStoreWriteStallBench({ pattern, taskPageSize: size, busyShare });
    console.log(`store write stall, ${pattern}: ${r.updates} updates to a ${Math.round(r.jobBytes / 1024)} KiB job in 3 s (pages of ${size ?? 'default'}, busy share ${busyShare ?? 'default'})`);
    console.log(`  max event-loop stall ${r.maxStallMs} ms (p99 ${r.p99StallMs} ms), longest GC pause ${r.gcPauseMaxMs} ms`);
    console.log(`  writes ${r.writes} = ${r.writesPerSecond}/s (pages ${r.pageWrites}, job document ${r.documentWrites}, index ${r.indexWrites})`);
    console.log(`  whenSaved after a success: p50 ${r.savedP50Ms} ms, p99 ${r.savedP99Ms} ms, max ${r.savedMaxMs} ms (${r.savedCount})`);
  }
}
