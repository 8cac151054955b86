import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { findBlender } from '../electron/controller/jobs/blender/find-blender.js';
import { probeBlendScene } from '../electron/controller/jobs/blender/scene-probe.js';
import { buildBlenderArgv } from '../node-agent/runners/blender-argv.js';
import { makeTestScene } from '../test/fixtures/test-scene.js';
import { cliCommand, prepareCli, ROOT, startChild } from './lib/processes.js';
import { row, round, type Row } from './lib/row.js';
import { childEnv, scratchDir } from './lib/scratch.js';
import { median } from './lib/stats.js';

/** What this benchmark does, for BENCHMARKS.md. */
export const about =
  'A generated Cycles scene (12 frames, 160×90, 16 samples). Direct: one Blender process with the argv the agent\'s runner builds (`-b scene -noaudio --factory-startup --disable-autoexec -o …/frame_#### -F PNG -x 1 -s 1 -e 12 -j 1 -a`). Farm: `farmhand render scene --no-discover --chunk 12 --frames 1-12 --out …` (local agent only, one chunk = one Blender process), timed from spawning the CLI to its exit, fresh FARMHAND_HOME each run. One warm-up direct run, then 3 alternating direct/farm runs; medians. Plus one default-chunk farm run and the farm\'s fixed costs measured alone. HOME/XDG_CACHE_HOME point to a scratch folder.';

/**
 * Farm vs direct Blender on the same frames: a generated Cycles scene, 12 frames at 160×90,
 * 16 samples.
 *  (a) direct: one `blender -b scene -noaudio … -o … -F PNG -s 1 -e 12 -a` process, with the
 *      very argv the agent's runner builds, so only the farm's own overhead differs;
 *  (b) farm: `farmhand render scene --no-discover --chunk 12 --frames 1-12 --out …` (the
 *      local agent only, one chunk = one Blender process), timed end to end from spawning the
 *      CLI to its exit, so its start-up, scene probe, agent start, transfers and collection
 *      are all in. FARMHAND_HOME is a fresh temp folder per run.
 * Runs alternate direct/farm (3 each) and the medians are compared. A default-chunk farm run
 * is reported for information, with the pieces of the farm's fixed cost measured alone.
 */

const FRAMES = 12;
const REPETITIONS = 3;
const RUN_TIMEOUT_MS = 120_000;

async function timed(command: string, args: string[], env: NodeJS.ProcessEnv, what: string): Promise<{ ms: number; output: string }> {
  const started = performance.now();
  const child = startChild(command, args, { cwd: ROOT, env });
  const timer = setTimeout(() => void child.stop(), RUN_TIMEOUT_MS);
  const exit = await child.exited;
  clearTimeout(timer);
  const ms = performance.now() - started;
  if (exit.code !== 0) throw new Error(`${what} failed (exit ${exit.code ?? exit.signal}):\n${child.output().slice(-3000)}`);
  return { ms, output: child.output() };
}

async function countPngs(dir: string): Promise<number> {
  return (await readdir(dir).catch(() => [] as string[])).filter((f) => f.endsWith('.png')).length;
}

export async function run(): Promise<Row[]> {
  const blender = findBlender();
  if (!blender) throw new Error('Blender is not installed (apt-get install blender, or set FARMHAND_BLENDER).');
  await prepareCli();
  const scratch = await scratchDir('blender');
  try {
    const scene = await makeTestScene(scratch.dir, { frames: FRAMES, width: 160, height: 90, samples: 16 });
    const env = childEnv(scratch.home);
    const farmhand = cliCommand('farmhand');

    const direct: number[] = [];
    const farm: number[] = [];
    let run = 0;
    const directRun = async () => {
      const out = join(scratch.dir, `direct-${run++}`);
      const argv = buildBlenderArgv({ scenePath: scene, outputDir: out, outputName: 'frame', format: 'PNG', frames: Array.from({ length: FRAMES }, (_, i) => i + 1) });
      const { ms } = await timed(blender, argv, env, 'direct Blender');
      if ((await countPngs(out)) !== FRAMES) throw new Error(`direct Blender wrote ${await countPngs(out)} of ${FRAMES} frames`);
      return ms;
    };
    const farmRun = async (chunk: number | null) => {
      const id = run++;
      const out = join(scratch.dir, `farm-${id}`);
      const args = [...farmhand.args, 'render', scene, '--no-discover', ...(chunk ? ['--chunk', String(chunk)] : []), '--frames', `1-${FRAMES}`, '--out', out, '--quiet', '--json'];
      const { ms, output } = await timed(farmhand.command, args, { ...env, FARMHAND_HOME: join(scratch.dir, `farm-home-${id}`) }, 'farmhand render');
      if ((await countPngs(out)) !== FRAMES) throw new Error(`farmhand render collected ${await countPngs(out)} of ${FRAMES} frames:\n${output.slice(-2000)}`);
      return ms;
    };

    await directRun(); // warms the page cache (Blender's own files, the scene) for both sides
    for (let i = 0; i < REPETITIONS; i++) {
      direct.push(await directRun());
      farm.push(await farmRun(FRAMES));
    }
    const defaultChunk = await farmRun(null);

    // The farm's fixed costs, measured alone.
    const cliStart = (await timed(farmhand.command, [...farmhand.args, '--help'], env, 'farmhand --help')).ms;
    const probeStarted = performance.now();
    await probeBlendScene(scene, { blenderPath: blender, scratchHome: scratch.home });
    const sceneProbe = performance.now() - probeStarted;
    const versionProbe = (await timed(blender, ['--version'], env, 'blender --version')).ms;

    const d = median(direct);
    const f = median(farm);
    const list = (ms: number[]) => ms.map((x) => (x / 1000).toFixed(2)).join(', ');
    return [
      row({
        bench: 'blender',
        metric: `farmhand render --chunk ${FRAMES} vs direct blender (${FRAMES} frames, 160×90, 16 spp Cycles)`,
        unit: 's',
        measured: round(f / 1000, 3),
        baseline: round(d / 1000, 3),
        baselineLabel: 'one direct blender -a run, same argv as the agent',
        goal: { op: '<=', value: 1.05, on: 'ratio' },
        note: `medians of ${REPETITIONS}; farm runs (s): ${list(farm)}; direct runs (s): ${list(direct)}; farm overhead ${((f - d) / 1000).toFixed(2)} s; CLI = ${farmhand.reason}`,
      }),
      row({
        bench: 'blender',
        metric: 'farmhand render, default chunk (information)',
        unit: 's',
        measured: round(defaultChunk / 1000, 3),
        baseline: round(d / 1000, 3),
        baselineLabel: 'direct blender median',
        note: `the default chunk for ${FRAMES} frames on 1 agent is ${Math.ceil(FRAMES / 4)} frames: ${Math.ceil(FRAMES / Math.ceil(FRAMES / 4))} Blender processes, each paying Blender's start-up`,
      }),
      row({ bench: 'blender', metric: 'farm fixed cost: CLI start (farmhand --help)', unit: 's', measured: round(cliStart / 1000, 3), note: 'node start-up + loading the CLI\'s modules' }),
      row({ bench: 'blender', metric: 'farm fixed cost: scene probe (probeBlendScene)', unit: 's', measured: round(sceneProbe / 1000, 3), note: 'render-command.ts readScene(): a Blender run before the farm starts' }),
      row({ bench: 'blender', metric: 'farm fixed cost: blender --version (agent capability probe)', unit: 's', measured: round(versionProbe / 1000, 3), note: 'createAgent() → probeCapabilities() runs it before the local agent listens' }),
    ];
  } finally {
    await scratch.cleanup();
  }
}
