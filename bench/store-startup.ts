import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { build } from 'esbuild';
import type { JobRecord, TaskRecord } from '../electron/controller/model/job-model.js';
import { newJob, newTask } from '../electron/controller/jobs/new-job.js';
import { JobStore, summarizeJob } from '../electron/controller/store/job-store.js';
import { ROOT, startChild } from './lib/processes.js';

/**
 * How long does the controller take to load a big farm, and how much memory does it hold
 * afterwards? A store of 10 jobs × 10,000 tasks is written through the real JobStore, then a
 * fresh process opens it. That process runs a bundle of the store (as the shipped controller
 * does, no TypeScript loader in memory), so its RSS is the store's figure plus Node itself.
 *   compact: tasks shaped like the write-stall benchmark's (≈ 330 bytes of JSON each)
 *   blender: Blender frames, half finished with an output each (≈ 540 bytes: a week's farm)
 * Run: node --import tsx bench/store-startup.ts
 */

export type StartupTaskShape = 'compact' | 'blender';

export interface StoreStartupOptions {
  jobs?: number;
  tasksPerJob?: number;
  shape?: StartupTaskShape;
}

export interface StoreStartupResult {
  tasks: number;
  files: number;
  storedBytes: number;
  /** JobStore.open in the fresh process. */
  openMs: number;
  /** RSS after open (and after a GC, so it is what the store keeps, not what loading left behind). */
  rssBytes: number;
  /** RSS of the same process before open: Node and the bundle alone. */
  rssBeforeBytes: number;
  heapUsedBytes: number;
  /** The floor: reading and JSON.parse of the same files one after another, nothing else. */
  parseOnlyMs: number;
  problems: number;
}

/** The child: open the store, report figures as one JSON line. */
const CHILD_SOURCE = `
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { JobStore } from './electron/controller/store/job-store.ts';
const dataDir = process.argv[2];
const rssBeforeBytes = process.memoryUsage().rss;
const started = performance.now();
const store = await JobStore.open(dataDir);
const openMs = performance.now() - started;
const tasks = store.jobs().reduce((n, job) => n + job.tasks.length, 0);
globalThis.gc?.();
const { rss: rssBytes, heapUsed: heapUsedBytes } = process.memoryUsage();
const problems = store.problems.length;
await store.close();
let parseOnlyMs = 0;
const jobsDir = join(dataDir, 'store', 'jobs');
for (const folder of await readdir(jobsDir)) {
  for (const name of await readdir(join(jobsDir, folder))) {
    const t = performance.now();
    JSON.parse(await readFile(join(jobsDir, folder, name), 'utf8'));
    parseOnlyMs += performance.now() - t;
  }
}
console.log(JSON.stringify({ openMs, rssBytes, rssBeforeBytes, heapUsedBytes, tasks, problems, parseOnlyMs }));
`;

export async function runStoreStartupBench(o: StoreStartupOptions = {}): Promise<StoreStartupResult> {
  const jobs = o.jobs ?? 10;
  const tasksPerJob = o.tasksPerJob ?? 10_000;
  const dir = await mkdtemp(join(tmpdir(), 'farmhand-bench-store-startup-'));
  try {
    const written = await writeFarm(dir, jobs, tasksPerJob, o.shape ?? 'compact');
    const bundle = join(dir, 'open-store.mjs');
    await build({
      stdin: { contents: CHILD_SOURCE, resolveDir: ROOT, sourcefile: 'open-store.ts', loader: 'ts' },
      outfile: bundle,
      bundle: true,
      format: 'esm',
      platform: 'node',
      target: 'node20',
      logLevel: 'warning',
    });
    const child = startChild(process.execPath, ['--expose-gc', ...(process.env.FARMHAND_BENCH_PROFILE ? ['--cpu-prof', `--cpu-prof-dir=${process.env.FARMHAND_BENCH_PROFILE}`] : []), bundle, dir]);
    const { code } = await child.exited;
    const line = child.output().trim().split('\n').pop() ?? '';
    if (code !== 0 || !line.startsWith('{')) throw new Error(`The store start-up child failed (exit ${code}): ${child.output().slice(-2000)}`);
    const figures = JSON.parse(line) as Omit<StoreStartupResult, 'files' | 'storedBytes'>;
    if (figures.tasks !== jobs * tasksPerJob) throw new Error(`The child loaded ${figures.tasks} tasks, not ${jobs * tasksPerJob}.`);
    return { ...figures, ...written };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** Writes the farm through the real store and returns what it put on disk. */
async function writeFarm(dir: string, jobs: number, tasksPerJob: number, shape: StartupTaskShape): Promise<{ files: number; storedBytes: number }> {
  let files = 0;
  let storedBytes = 0;
  const store = await JobStore.open(dir, {
    onWrite: () => files++,
  });
  for (let j = 0; j < jobs; j++) {
    const job = makeJob(`job-${j}`, tasksPerJob, shape);
    store.add(job, summarizeJob(job));
    await store.flush(); // one job's objects at a time in this process
    storedBytes += Buffer.byteLength(JSON.stringify(job));
  }
  await store.close();
  return { files, storedBytes };
}

const HEX = '0123456789abcdef';
function fakeSha(seed: number): string {
  let out = '';
  for (let i = 0; i < 64; i++) out += HEX[(seed * 31 + i * 7) % 16];
  return out;
}

function makeJob(id: string, taskCount: number, shape: StartupTaskShape): JobRecord {
  if (shape === 'compact') {
    const tasks = Array.from({ length: taskCount }, (_, i) => ({
      ...newTask(id, i, `frames ${i * 10 + 1}-${i * 10 + 10}`, { type: 'noop' as const }, []),
      state: 'running' as const,
      progress: 0.42,
      agentId: `agent-${i % 8}`,
    }));
    return newJob({ id, name: `compact ${id}`, type: 'noop', priority: 0, tags: [], outputDir: join(tmpdir(), 'farmhand-bench-out'), inputFiles: [], settings: {}, tasks });
  }
  const scene = { sha256: fakeSha(1), size: 48_000_000, name: 'shot_040.blend' };
  const tasks: TaskRecord[] = Array.from({ length: taskCount }, (_, index) => {
    const frame = index + 1;
    const done = index < taskCount / 2;
    const output = `shot_040_${String(frame).padStart(4, '0')}.png`;
    return {
      id: `${id}.${index}`,
      jobId: id,
      index,
      label: `frame ${frame}`,
      state: done ? 'succeeded' : 'queued',
      attempt: done ? 1 : 0,
      failures: 0,
      spec: { type: 'blender', frames: [frame], outputName: 'shot_040', format: 'PNG', engine: 'CYCLES' },
      inputs: [scene],
      dependsOn: [],
      agentId: done ? `agent-${index % 8}` : null,
      progress: done ? 1 : 0,
      outputs: done ? [{ sha256: fakeSha(frame), size: 2_400_000 + frame, name: output }] : [],
      collected: done ? [output] : [],
      error: null,
      startedAt: done ? 1_700_000_000_000 + index * 1000 : null,
      endedAt: done ? 1_700_000_000_000 + index * 1000 + 60_000 : null,
    };
  });
  return {
    id,
    name: `shot 040 (${id})`,
    type: 'blender',
    priority: 0,
    createdAt: 1_700_000_000_000,
    paused: false,
    failure: null,
    canceled: false,
    tags: [],
    outputDir: join(tmpdir(), 'farmhand-bench-out'),
    inputFiles: [{ ...scene, path: '/projects/shot_040.blend' }],
    settings: {},
    tasks,
    endedAt: null,
  };
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  for (const shape of ['compact', 'blender'] as const) {
    const r = await runStoreStartupBench({ shape });
    const mib = (bytes: number) => `${Math.round(bytes / 1024 / 1024)} MiB`;
    console.log(`store start-up, ${shape} tasks: ${r.tasks} tasks in ${r.files} files (${mib(r.storedBytes)})`);
    console.log(`  JobStore.open ${r.openMs.toFixed(0)} ms (read + parse alone ${r.parseOnlyMs.toFixed(0)} ms)`);
    console.log(`  RSS ${mib(r.rssBytes)} after open (${mib(r.rssBeforeBytes)} before), heap ${mib(r.heapUsedBytes)}`);
  }
}
