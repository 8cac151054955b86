import { copyFile } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { compileBlenderJob } from '../electron/controller/jobs/blender/blender-job.js';
import { frameFileName } from '../electron/controller/jobs/expected-outputs.js';
import { readFrameList } from '../electron/controller/jobs/frame-list.js';
import { describeFile, generateFarmKey } from '../node-agent/protocol/index.js';
import { startBenchController, startInProcessAgent, waitOnline } from './lib/farm.js';
import { ROOT } from './lib/processes.js';
import { row, round, type Row } from './lib/row.js';
import { scratchDir, withTimeout } from './lib/scratch.js';

/** What this benchmark does, for BENCHMARKS.md. */
export const about =
  'The README\'s main job (assets/examples/spinning-cube.blend, Cycles 320×180, frames 1-48, the default plan; FARMHAND_BENCH_PREVIEW_FRAMES=N renders 1-N for a quicker look) on one in-process agent with one slot, submitted to an in-process controller, once as is and once with preview first (`--preview-first`: frames 1, 48, 25, 13, 36 as their own tasks first, then the rest). Measured from the submit: "the shot\'s look", the time until its first, middle and last frames (1, 25, 48) are all collected, and the whole job. Judged: the look with preview first against the plain plan in the same run (goal ≤ 0.5×: the point of previewing); the whole job\'s ratio is its price (more Blender start-ups), reported. HOME/XDG_CACHE_HOME point to a scratch folder.';

/** The README's job: 48 frames; FARMHAND_BENCH_PREVIEW_FRAMES (17 or more: a middle preview frame) for a quicker look. */
const FRAMES = Math.max(17, Number(process.env.FARMHAND_BENCH_PREVIEW_FRAMES) || 48);
/** The shot's look: its first, middle (the preview's third frame) and last frames; 1, 25, 48 for 48. */
const LOOK = [1, Math.round((FRAMES - 1) / 2) + 1, FRAMES];
/** Bounded, but a busy machine makes a 25 s render take minutes. */
const RUN_TIMEOUT_MS = 600_000;

interface Timing {
  lookMs: number;
  totalMs: number;
}

async function renderOnce(scene: string, outDir: string, farmDir: string, previewFirst: boolean): Promise<Timing> {
  const farmKey = generateFarmKey();
  const agent = await startInProcessAgent({ farmKey, dataDir: join(farmDir, 'agent'), slots: 1 });
  const controller = await startBenchController({ home: join(farmDir, 'controller'), farmKey, agentUrls: [agent.url], persist: false });
  try {
    await waitOnline(controller, 1);
    const job = compileBlenderJob(
      { scenePath: scene, frames: readFrameList(`1-${FRAMES}`), outputDir: outDir, ...(previewFirst ? { previewFirst: true } : {}) },
      { scene: await describeFile(scene, basename(scene)), scenePath: scene, sceneInfo: null, agentCount: 1 },
    );
    const wanted = new Set(LOOK.map((f) => frameFileName('spinning-cube', 'PNG', f)));
    const seen = new Set<string>();
    let lookMs = NaN;
    const started = performance.now();
    controller.events.on('task', (task) => {
      if (task.jobId !== job.id) return;
      for (const name of task.collected) if (wanted.has(name)) seen.add(name);
      if (Number.isNaN(lookMs) && seen.size === wanted.size) lookMs = performance.now() - started;
    });
    controller.submit(job);
    const summary = await withTimeout(controller.waitForJob(job.id), RUN_TIMEOUT_MS, 'the render');
    const totalMs = performance.now() - started;
    if (summary.state !== 'succeeded') throw new Error(`the render ended ${summary.state}: ${summary.failure ?? ''}`);
    return { lookMs, totalMs };
  } finally {
    await controller.close();
    await agent.close();
  }
}

export async function run(): Promise<Row[]> {
  const scratch = await scratchDir('preview-first');
  const home = process.env.HOME;
  const cache = process.env.XDG_CACHE_HOME;
  process.env.HOME = scratch.home; // the in-process agent's Blender writes under HOME
  process.env.XDG_CACHE_HOME = join(scratch.home, '.cache');
  try {
    const scene = join(scratch.dir, 'spinning-cube.blend');
    await copyFile(join(ROOT, 'assets/examples/spinning-cube.blend'), scene);
    const plain = await renderOnce(scene, join(scratch.dir, 'out-plain'), join(scratch.dir, 'farm-plain'), false);
    const preview = await renderOnce(scene, join(scratch.dir, 'out-preview'), join(scratch.dir, 'farm-preview'), true);
    const s = (ms: number) => round(ms / 1000, 2);
    return [
      row({ bench: 'preview-first', metric: `the shot's look (frames ${LOOK.join(', ')} in), preview first`, unit: 's', measured: s(preview.lookMs), baseline: s(plain.lookMs), baselineLabel: 'the plain plan', goal: { op: '<=', value: 0.5, on: 'ratio', source: 'derived' } }),
      row({ bench: 'preview-first', metric: `whole job (${FRAMES} frames), preview first`, unit: 's', measured: s(preview.totalMs), baseline: s(plain.totalMs), baselineLabel: 'the plain plan', note: 'the price: a Blender start-up per preview frame (5 for 48 frames)' }),
    ];
  } finally {
    if (home === undefined) delete process.env.HOME; else process.env.HOME = home;
    if (cache === undefined) delete process.env.XDG_CACHE_HOME; else process.env.XDG_CACHE_HOME = cache;
    await scratch.cleanup();
  }
}
