import { copyFile, mkdir, readdir, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { findBlender } from '../electron/controller/jobs/blender/find-blender.js';
import { probeBlendScene, readSceneInfo } from '../electron/controller/jobs/blender/scene-probe.js';
import { buildBlenderArgv } from '../node-agent/runners/blender-argv.js';
import { cliCommand, prepareCli, ROOT, startChild } from './lib/processes.js';
import { row, round, type Row } from './lib/row.js';
import { childEnv, scratchDir } from './lib/scratch.js';
import { median } from './lib/stats.js';
import { blenderBusyMs, readBlenderRuns, writeTimedBlender, type BlenderRun } from './lib/timed-blender.js';

/** What this benchmark does, for BENCHMARKS.md. */
export const about =
  'The README\'s main job exactly as the README runs it: the command under "# the main job" in README.md\'s first code block, after its install steps (now `FARMHAND_MDNS_INTERFACE=127.0.0.1 node bin/farmhand.js render assets/examples/spinning-cube.blend`: the shipped example scene, Cycles, 320×180, its own range 1-48; default plan; the local agent; mDNS browsing pinned to loopback), run by `sh -c` in a scratch folder laid out like the checkout (its package.json copied, node_modules and bin/farmhand.js linked to it, the scene copied to assets/examples/), so the frames land in that folder\'s ./farmhand-output/spinning-cube/. Timed from spawning the shell to its exit; HOME, XDG_CACHE_HOME, FARMHAND_HOME and npm\'s cache are scratch folders (npm, for the npx rows, runs offline, without its update check and without lifecycle scripts). Baseline in the same run: one plain Blender run of the same 48 frames with the argv the agent\'s runner builds (`blender -b scene -noaudio --factory-startup --disable-autoexec -o …/spinning-cube_#### -F PNG -s 1 -e 48 -a`), which writes the same frames. Order: one first-ever farm run (empty FARMHAND_HOME: reported, not judged), one warm-up direct run, then 5 direct/farm pairs (FARMHAND_BENCH_PAIRS), the order inside a pair alternating, then one run of the same job as `npx farmhand render` (reported). Judged: the median over the pairs of farm ÷ direct. Also reported: the Blender processes inside each farm run (the agent runs Blender through a small bash wrapper that notes each render\'s start and end with bash\'s built-in clock): how many (the plan\'s chunks), their summed time against the direct run, and the farm\'s time outside Blender; npx\'s own cost (`npx farmhand --help` against `node bin/farmhand.js --help`); the farm\'s fixed costs measured alone.';

/**
 * The README's job against Blender alone. The direct run uses the very argv the agent's runner
 * builds, so only the farm differs: npx and the CLI's start, reading the scene, waiting for
 * agents, the plan (how many Blender processes), collection and exit.
 */

/** The README's main job: every frame of the example scene (its own range, 1-48). */
const FRAMES = 48;
/** FARMHAND_BENCH_PAIRS=1 for a quicker look (on a busy machine one pair can take many minutes). */
const PAIRS = Math.max(1, Math.floor(Number(process.env.FARMHAND_BENCH_PAIRS)) || 5);
/** Generous: under heavy load (other work on the machine) a 25 s render took over 5 minutes. */
const RUN_TIMEOUT_MS = 600_000;
const README_SCENE = 'assets/examples/spinning-cube.blend';

/**
 * The README's main command as its first code block gives it, without the install steps before
 * the last `&&` (`FARMHAND_MDNS_INTERFACE=127.0.0.1 node bin/farmhand.js render …`): the bench
 * runs whatever the README says, so the two cannot drift apart.
 */
async function readmeMainCommand(): Promise<string> {
  const readme = await readFile(join(ROOT, 'README.md'), 'utf8');
  const line = /^# the main job.*\n(.+)$/m.exec(readme)?.[1];
  const command = line?.split('&&').pop()?.trim();
  if (!command || !command.includes(README_SCENE)) throw new Error(`README.md's first code block no longer holds the main job's command under "# the main job" (found: ${line ?? 'nothing'}); update bench/blender.ts with it.`);
  return command;
}

async function timed(command: string, args: string[], o: { env: NodeJS.ProcessEnv; cwd: string }, what: string): Promise<{ ms: number; output: string }> {
  const started = performance.now();
  const child = startChild(command, args, { cwd: o.cwd, env: o.env });
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

/**
 * A folder npx treats as the checkout: the same package.json (so `npx farmhand` resolves to
 * this project, as it does in the README), node_modules linked, and bin/farmhand.js running
 * the CLI prepareCli chose (the checkout's own launcher when dist/ is up to date).
 */
async function projectCopy(dir: string): Promise<void> {
  await mkdir(join(dir, 'bin'), { recursive: true });
  await mkdir(join(dir, 'assets', 'examples'), { recursive: true });
  await copyFile(join(ROOT, 'package.json'), join(dir, 'package.json'));
  // bin/package.json makes the launchers CommonJS inside the ES-module package: without it the
  // generated launcher below fails to load (`require` is not defined).
  await copyFile(join(ROOT, 'bin', 'package.json'), join(dir, 'bin', 'package.json'));
  await symlink(join(ROOT, 'node_modules'), join(dir, 'node_modules'));
  await copyFile(join(ROOT, README_SCENE), join(dir, README_SCENE));
  const cli = cliCommand('farmhand');
  const launcher = join(dir, 'bin', 'farmhand.js');
  if (cli.args[0] === join(ROOT, 'bin', 'farmhand.js')) {
    await symlink(cli.args[0], launcher);
  } else if (cli.args.length === 1 && cli.args[0]!.endsWith('.cjs')) {
    // dist/ is stale: the same launcher code, on the bundle compiled for this run.
    await writeFile(launcher, `#!/usr/bin/env node\n'use strict';\nconst { runCachedBundle } = require(${JSON.stringify(join(ROOT, 'bin', 'cached-bundle.js'))});\nif (!runCachedBundle(${JSON.stringify(cli.args[0])})) process.exit(1);\n`, { mode: 0o755 });
  } else {
    throw new Error(`this benchmark runs the built CLI; build it first (npm run build): ${cli.reason}`);
  }
}

/** "Rendering 48 frame(s) of x.blend in 4 chunk(s) of up to 12 on 1 agent(s)": the plan, as the CLI said it. */
function planLine(output: string): string {
  return /Rendering \d+ frame\(s\) of .*? in (.*?) →/.exec(output)?.[1]?.trim() ?? 'plan line not printed';
}

interface FarmRun {
  ms: number;
  runs: BlenderRun[];
  plan: string;
  /** From spawning npx to the first Blender's start, and from the last Blender's exit to npx's. */
  beforeFirstMs: number;
  afterLastMs: number;
}

export async function run(): Promise<Row[]> {
  const blender = findBlender();
  if (!blender) throw new Error('Blender is not installed (apt-get install blender, or set FARMHAND_BLENDER).');
  await prepareCli();
  const scratch = await scratchDir('blender');
  try {
    const project = join(scratch.dir, 'project');
    await projectCopy(project);
    const scene = join(project, README_SCENE);
    const wrapper = join(scratch.dir, 'timed-blender.sh');
    const times = join(scratch.dir, 'blender-times.txt');
    await writeTimedBlender(wrapper, blender, times);
    const env = childEnv(scratch.home, {
      // npx: offline (it resolves `farmhand` to this project and must never ask the registry), no
      // update check, and no lifecycle scripts: its first run in a checkout runs the project's
      // `prepare` (a full build, once per npm cache), which this copy of the layout cannot do.
      npm_config_offline: 'true',
      npm_config_update_notifier: 'false',
      npm_config_ignore_scripts: 'true',
      npm_config_fund: 'false',
      npm_config_audit: 'false',
      npm_config_cache: join(scratch.home, '.npm'),
    });
    const farmEnv = { ...env, FARMHAND_HOME: join(scratch.dir, 'farmhand-home'), FARMHAND_BLENDER: wrapper, FARMHAND_MDNS_INTERFACE: '127.0.0.1' };
    const readmeOut = join(project, 'farmhand-output', 'spinning-cube');

    let runIndex = 0;
    const directRun = async () => {
      const out = join(scratch.dir, `direct-${runIndex++}`);
      const argv = buildBlenderArgv({ scenePath: scene, outputDir: out, outputName: 'spinning-cube', format: 'PNG', frames: Array.from({ length: FRAMES }, (_, i) => i + 1) });
      const { ms } = await timed(blender, argv, { env, cwd: scratch.dir }, 'direct Blender');
      if ((await countPngs(out)) !== FRAMES) throw new Error(`direct Blender wrote ${await countPngs(out)} of ${FRAMES} frames`);
      await rm(out, { recursive: true, force: true });
      return ms;
    };
    // Exactly the README's command line (read from README.md), in the project folder; its output
    // folder emptied first (a user's first render). `viaNpx` runs the same job as `npx farmhand render`.
    const readmeCommand = await readmeMainCommand();
    const farmRun = async (viaNpx = false): Promise<FarmRun> => {
      await rm(join(project, 'farmhand-output'), { recursive: true, force: true });
      await rm(times, { force: true });
      const spawnedAt = Date.now();
      const command = viaNpx ? `FARMHAND_MDNS_INTERFACE=127.0.0.1 npx farmhand render ${README_SCENE}` : readmeCommand;
      const { ms, output } = await timed('sh', ['-c', command], { env: farmEnv, cwd: project }, command);
      if ((await countPngs(readmeOut)) !== FRAMES) throw new Error(`farmhand render collected ${await countPngs(readmeOut)} of ${FRAMES} frames:\n${output.slice(-2000)}`);
      const runs = await readBlenderRuns(times);
      if (runs.length === 0) throw new Error(`no Blender render was noted inside the farm run:\n${output.slice(-2000)}`);
      return { ms, runs, plan: planLine(output), beforeFirstMs: runs[0]!.start - spawnedAt, afterLastMs: spawnedAt + ms - Math.max(...runs.map((r) => r.end)) };
    };

    const firstEver = await farmRun(); // empty FARMHAND_HOME: farm key, agent cache, tool versions all made now
    await directRun(); // warms the page cache (Blender's own files, the scene) for both sides
    const direct: number[] = [];
    const farm: FarmRun[] = [];
    for (let i = 0; i < PAIRS; i++) {
      if (i % 2 === 0) {
        direct.push(await directRun());
        farm.push(await farmRun());
      } else {
        farm.push(await farmRun());
        direct.push(await directRun());
      }
    }

    // The same job through npx (how earlier READMEs ran it): reported, not judged.
    const npxRun = await farmRun(true);

    // npx's own cost, and the farm's other fixed costs, each measured alone.
    const npxHelp: number[] = [];
    const nodeHelp: number[] = [];
    for (let i = 0; i < 3; i++) {
      npxHelp.push((await timed('npx', ['farmhand', '--help'], { env: farmEnv, cwd: project }, 'npx farmhand --help')).ms);
      nodeHelp.push((await timed(process.execPath, [join(project, 'bin', 'farmhand.js'), '--help'], { env: farmEnv, cwd: project }, 'node bin/farmhand.js --help')).ms);
    }
    let started = performance.now();
    await readSceneInfo(scene, { blenderPath: blender, scratchHome: scratch.home });
    const sceneRead = performance.now() - started;
    started = performance.now();
    await probeBlendScene(scene, { blenderPath: blender, scratchHome: scratch.home });
    const sceneProbe = performance.now() - started;

    const s = (ms: number) => (ms / 1000).toFixed(2);
    const list = (ms: number[]) => ms.map(s).join(', ');
    const ratios = farm.map((f, i) => f.ms / direct[i]!);
    const inside = farm.map((f) => blenderBusyMs(f.runs));
    const outside = farm.map((f, i) => f.ms - inside[i]!);
    const starts = farm.map((f) => f.runs.length);
    const npxCost = median(npxHelp) - median(nodeHelp);
    return [
      row({
        bench: 'blender',
        metric: `the README's main job as the README runs it (${readmeCommand.replace(/^\S+=\S+ /, '').split(' render ')[0]} render, default plan, all ${FRAMES} frames) vs a plain blender -a of the same frames (example scene, 320×180 Cycles)`,
        unit: 's',
        measured: round(median(farm.map((f) => f.ms)) / 1000, 3),
        baseline: round(median(direct) / 1000, 3),
        baselineLabel: 'one plain blender -a run of the same 48 frames (the agent\'s argv), beside each farm run',
        ratio: median(ratios),
        goal: { op: '<=', value: 1.05, on: 'ratio' },
        note: `${PAIRS} pairs; ratio = median of farm ÷ direct per pair (${ratios.map((r) => r.toFixed(3)).join(', ')}); farm runs (s): ${list(farm.map((f) => f.ms))}; direct runs (s): ${list(direct)}; plan: ${[...new Set(farm.map((f) => f.plan))].join(' / ')}; CLI = ${cliCommand('farmhand').reason}`,
      }),
      row({
        bench: 'blender',
        metric: 'Blender inside each farm run: the summed time of its Blender processes vs the direct run (the cost of the plan\'s extra start-ups)',
        unit: 's',
        measured: round(median(inside) / 1000, 3),
        baseline: round(median(direct) / 1000, 3),
        baselineLabel: 'the direct run of the same pair',
        ratio: median(inside.map((ms, i) => ms / direct[i]!)),
        note: `Blender processes per farm run: ${starts.join(', ')}; each run's Blender total (s): ${list(inside)}; per process (s), last run: ${farm.at(-1)!.runs.map((r) => s(r.end - r.start)).join(', ')}`,
      }),
      row({
        bench: 'blender',
        metric: 'the farm\'s time outside Blender in each farm run (npx, CLI start, scene read, waiting for agents, gaps between chunks, collection, exit)',
        unit: 's',
        measured: round(median(outside) / 1000, 3),
        note: `runs (s): ${list(outside)}; of which before the first Blender started (s): ${list(farm.map((f) => f.beforeFirstMs))}; after the last Blender exited (s): ${list(farm.map((f) => f.afterLastMs))}; between Blender processes (s): ${list(farm.map((f, i) => outside[i]! - f.beforeFirstMs - f.afterLastMs))}`,
      }),
      row({
        bench: 'blender',
        metric: 'the same job as `npx farmhand render` (npm\'s own start added) vs the direct run',
        unit: 's',
        measured: round(npxRun.ms / 1000, 3),
        baseline: round(median(direct) / 1000, 3),
        baselineLabel: 'direct blender median',
        ratio: npxRun.ms / median(direct),
        note: `one run after the pairs; plan: ${npxRun.plan}`,
      }),
      row({
        bench: 'blender',
        metric: 'npx\'s own cost: npx farmhand --help vs node bin/farmhand.js --help',
        unit: 's',
        measured: round(median(npxHelp) / 1000, 3),
        baseline: round(median(nodeHelp) / 1000, 3),
        baselineLabel: 'node bin/farmhand.js --help',
        note: `medians of 3; npx adds ${s(npxCost)} s to every README command (npx (s): ${list(npxHelp)}; node (s): ${list(nodeHelp)})`,
      }),
      row({
        bench: 'blender',
        metric: 'the README\'s job, first-ever run (empty FARMHAND_HOME)',
        unit: 's',
        measured: round(firstEver.ms / 1000, 3),
        baseline: round(median(direct) / 1000, 3),
        baselineLabel: 'direct blender median',
        note: `creates the farm key, the local agent's data folder, npx's link to the project, and probes Blender's and ffmpeg's versions (cached afterwards); plan: ${firstEver.plan}`,
      }),
      row({ bench: 'blender', metric: 'farm fixed cost: reading the scene (readSceneInfo, .blend read directly)', unit: 's', measured: round(sceneRead / 1000, 3), note: 'frame range, fps, size, engine, format from the file\'s own struct description; runs while the farm starts' }),
      row({ bench: 'blender', metric: 'for comparison: the same read through Blender (probeBlendScene)', unit: 's', measured: round(sceneProbe / 1000, 3), note: 'used only for files the direct reader does not understand or finds damaged' }),
    ];
  } finally {
    await scratch.cleanup();
  }
}
