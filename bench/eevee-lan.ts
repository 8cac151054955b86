import type { ChildProcess } from 'node:child_process';
import { mkdir, readdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { findBlender } from '../electron/controller/jobs/blender/find-blender.js';
import { generateFarmKey } from '../node-agent/protocol/index.js';
import { buildBlenderArgv } from '../node-agent/runners/blender-argv.js';
import { runBlenderScript } from '../test/helpers/blender-script.js';
import { cleanupLeftovers, createLan, netnsAvailable, type Lan } from '../test/lan/netns.js';
import { cliCommand, prepareCli, startChild } from './lib/processes.js';
import { row, round, type Row } from './lib/row.js';
import { scratchDir, sleep } from './lib/scratch.js';
import { median } from './lib/stats.js';
import { blenderBusyMs, readBlenderRuns, writeTimedBlender, type BlenderRun } from './lib/timed-blender.js';

/** What this benchmark does, for BENCHMARKS.md. */
export const about =
  'Farmhand\'s chunking against one Blender process per frame (how Loki Render renders), on a LAN of Linux network namespaces: a controller host runs `farmhand render scene.blend --no-local-agent --mdns-interface <its address> --json`, two agent hosts run `farmhand-agent` (one slot each, found over mDNS on the namespaces\' bridge). All three share this machine\'s cores. Scene: built by the benchmark, EEVEE (headless: Blender 3.4 falls back to surfaceless EGL on Mesa\'s software renderer, no display or xvfb needed), 320×180, 64 samples, a moving cube, 20 frames of about 1 s each; Blender\'s first EEVEE frame in a process costs a few seconds more (shader compilation). Judged: the default plan (no --chunk) against `--chunk 1`, each timed from spawning the CLI to its exit, in 2 pairs (FARMHAND_BENCH_PAIRS; order alternating), the median of the pairs\' ratios. Also reported: one chunk per agent (`--chunk 10`), once; the Blender processes each run started and their summed time (each agent runs Blender through a small bash wrapper that notes each render\'s start and end); Blender\'s start-up (process start → first `Fra:` line), its first EEVEE frame and a later frame, measured alone with the agent\'s argv. A first run (the scene\'s transfer to both agents, their first shader compilations) comes before the pairs and is reported, not judged. The namespaces are deleted afterwards.';

/**
 * Why chunks matter for EEVEE: every Blender process pays its start-up and then compiles its
 * shaders on the first frame, so a process per frame pays both 20 times over. Both sides run
 * on the same farm in the same run; only the plan differs.
 */

const FRAMES = 20;
/** FARMHAND_BENCH_PAIRS=1 for a quicker look (on a busy machine one pair can take many minutes). */
const PAIRS = Math.max(1, Math.floor(Number(process.env.FARMHAND_BENCH_PAIRS)) || 2);
const AGENTS = 2;
/** Generous: a --chunk 1 run takes about a minute on a quiet 2-core machine, several under heavy load. */
const RUN_TIMEOUT_MS = 600_000;
const AGENT_START_TIMEOUT_MS = 60_000;

/** Runs inside Blender: `-- <out.blend>`. Tiny but EEVEE-real: a lit, shaded, moving cube over a plane. */
const EEVEE_SCENE_SCRIPT = `
import bpy, sys, math
out = sys.argv[sys.argv.index("--") + 1]
bpy.ops.wm.read_factory_settings(use_empty=True)
s = bpy.context.scene
s.render.engine = "BLENDER_EEVEE"
s.eevee.taa_render_samples = 64
s.render.resolution_x, s.render.resolution_y, s.render.resolution_percentage = 320, 180, 100
s.render.fps, s.render.fps_base = 24, 1.0
s.frame_start, s.frame_end, s.frame_step = 1, ${FRAMES}, 1
s.render.image_settings.file_format = "PNG"
world = bpy.data.worlds.new("World")
world.color = (0.2, 0.25, 0.35)
s.world = world
mat = bpy.data.materials.new("Orange")
mat.use_nodes = True
mat.node_tree.nodes["Principled BSDF"].inputs[0].default_value = (0.9, 0.35, 0.05, 1.0)
bpy.ops.mesh.primitive_plane_add(size=10, location=(0, 0, -1))
bpy.ops.mesh.primitive_cube_add(size=1.2)
cube = bpy.context.active_object
cube.data.materials.append(mat)
for f, x, turn in ((1, -1.0, 0.0), (${FRAMES}, 1.0, math.pi)):
    cube.location = (x, 0, 0)
    cube.rotation_euler = (0, 0, turn)
    cube.keyframe_insert("location", frame=f)
    cube.keyframe_insert("rotation_euler", frame=f)
bpy.ops.object.camera_add(location=(0, -6, 2), rotation=(math.radians(75), 0, 0))
s.camera = bpy.context.active_object
bpy.ops.object.light_add(type="SUN", location=(0, 0, 5), rotation=(0.5, 0.2, 0))
bpy.context.active_object.data.energy = 3
bpy.ops.wm.save_as_mainfile(filepath=out, compress=False)
`;

/** A process started in a namespace, with its output kept for waiting on a line and for errors. */
function watched(child: ChildProcess): { output(): string; waitFor(pattern: RegExp, timeoutMs: number): Promise<number>; exited: Promise<number | null> } {
  let text = '';
  const keep = (chunk: Buffer) => {
    text += chunk.toString();
    if (text.length > 200_000) text = text.slice(-100_000);
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  const exited = new Promise<number | null>((resolve) => {
    child.once('exit', (code) => resolve(code));
    child.once('error', () => resolve(null));
  });
  return {
    output: () => text,
    exited,
    async waitFor(pattern, timeoutMs) {
      const started = performance.now();
      const deadline = started + timeoutMs;
      for (let i = 0; i < Math.ceil(timeoutMs / 10) + 10 && performance.now() < deadline; i++) {
        if (pattern.test(text)) return performance.now() - started;
        if (child.exitCode !== null || child.signalCode !== null) break;
        await sleep(10);
      }
      throw new Error(`no line matching ${pattern} within ${timeoutMs} ms:\n${text.slice(-2000)}`);
    },
  };
}

interface FarmRun {
  chunk: number | 'default';
  ms: number;
  plan: string;
  /** Blender renders per agent, in start order. */
  runs: BlenderRun[][];
  /** From spawning the CLI to the first Blender's start (ms). */
  beforeFirstMs: number;
}

/** Blender alone on the scene, timed from its output lines: start-up, first EEVEE frame, a later frame. */
async function blenderAlone(blender: string, scene: string, out: string, env: NodeJS.ProcessEnv): Promise<{ startupMs: number; firstFrameMs: number; laterFrameMs: number }> {
  const argv = buildBlenderArgv({ scenePath: scene, outputDir: out, outputName: 'alone', format: 'PNG', frames: [1, 2, 3] });
  const started = performance.now();
  const child = startChild(blender, argv, { env });
  let firstFra = 0;
  const saved: number[] = [];
  let pending = '';
  child.process.stdout?.on('data', (chunk: Buffer) => {
    const lines = (pending + chunk.toString()).split('\n');
    pending = lines.pop() ?? '';
    const now = performance.now();
    for (const line of lines) {
      if (!firstFra && line.startsWith('Fra:')) firstFra = now;
      if (line.startsWith('Saved:')) saved.push(now);
    }
  });
  const timer = setTimeout(() => void child.stop(), RUN_TIMEOUT_MS);
  const exit = await child.exited;
  clearTimeout(timer);
  if (exit.code !== 0 || saved.length !== 3 || !firstFra) throw new Error(`Blender alone failed (exit ${exit.code}, ${saved.length} of 3 frames saved):\n${child.output().slice(-2000)}`);
  return { startupMs: firstFra - started, firstFrameMs: saved[0]! - firstFra, laterFrameMs: (saved[2]! - saved[0]!) / 2 };
}

export async function run(): Promise<Row[]> {
  if (!(await netnsAvailable())) throw new Error('This benchmark builds network namespaces: run it as root with iproute2 installed (apt-get install iproute2).');
  const blender = findBlender();
  if (!blender) throw new Error('Blender is not installed (apt-get install blender, or set FARMHAND_BLENDER).');
  await prepareCli();
  const scratch = await scratchDir('eevee-lan');
  const prefix = `fhb${process.pid}`;
  let lan: Lan | null = null;
  const agents: ReturnType<typeof watched>[] = [];
  try {
    const scene = join(scratch.dir, 'eevee-cube.blend');
    await runBlenderScript(['--python-expr', EEVEE_SCENE_SCRIPT, '--', scene], { home: scratch.home, what: 'EEVEE benchmark scene' });

    await cleanupLeftovers(prefix);
    lan = await createLan({ hosts: AGENTS + 1, prefix });
    const farmKey = generateFarmKey();
    const agentCli = cliCommand('farmhand-agent');
    const farmhand = cliCommand('farmhand');
    const agentHome = (i: number) => join(scratch.dir, `agent-${i}-home`);
    const agentTimes = (i: number) => join(scratch.dir, `agent-${i}-blender-times.txt`);
    for (let i = 1; i <= AGENTS; i++) {
      const wrapper = join(scratch.dir, `agent-${i}-blender.sh`);
      await writeTimedBlender(wrapper, blender, agentTimes(i));
      await mkdir(join(agentHome(i), '.cache'), { recursive: true });
      const address = lan.hosts[i]!.address;
      agents.push(watched(lan.spawn(i, agentCli.command, [
        ...agentCli.args, '--farm-key', farmKey, '--data-dir', join(scratch.dir, `agent-${i}-data`), '--name', `bench-h${i}`,
        '--mdns-interface', address, '--host', address, '--blender', wrapper,
      ], { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, HOME: agentHome(i), XDG_CACHE_HOME: join(agentHome(i), '.cache'), FARMHAND_FARM_KEY: '', FARMHAND_MDNS_INTERFACE: '' } })));
    }
    await Promise.all(agents.map((a) => a.waitFor(/listening on/, AGENT_START_TIMEOUT_MS)));

    const controllerHome = join(scratch.dir, 'controller-home');
    await mkdir(join(controllerHome, '.cache'), { recursive: true });
    let runIndex = 0;
    const farmRun = async (chunk: number | 'default'): Promise<FarmRun> => {
      const out = join(scratch.dir, `out-${runIndex++}`);
      for (let i = 1; i <= AGENTS; i++) await rm(agentTimes(i), { force: true });
      const args = [...farmhand.args, 'render', scene, '--out', out, '--no-local-agent', '--mdns-interface', lan!.hosts[0]!.address, '--json', ...(chunk === 'default' ? [] : ['--chunk', String(chunk)])];
      const spawnedAt = Date.now();
      const started = performance.now();
      const cli = watched(lan!.spawn(0, farmhand.command, args, { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, HOME: controllerHome, XDG_CACHE_HOME: join(controllerHome, '.cache'), FARMHAND_HOME: join(scratch.dir, 'farmhand-home'), FARMHAND_FARM_KEY: farmKey, FARMHAND_MDNS_INTERFACE: '' } }));
      // Bounded: a run that hangs is left to lan.destroy() (the finally below), which ends its process group.
      const code = await Promise.race([cli.exited, sleep(RUN_TIMEOUT_MS).then(() => 'timeout' as const)]);
      const ms = performance.now() - started;
      if (code !== 0) throw new Error(`farmhand render${chunk === 'default' ? '' : ` --chunk ${chunk}`} ${code === 'timeout' ? `did not finish within ${RUN_TIMEOUT_MS / 1000} s` : `failed (exit ${code})`}:\n${cli.output().slice(-3000)}`);
      const frames = (await readdir(out)).filter((f) => f.endsWith('.png')).length;
      if (frames !== FRAMES) throw new Error(`farmhand render collected ${frames} of ${FRAMES} frames:\n${cli.output().slice(-2000)}`);
      await rm(out, { recursive: true, force: true });
      const runs: BlenderRun[][] = [];
      for (let i = 1; i <= AGENTS; i++) runs.push(await readBlenderRuns(agentTimes(i)));
      // The baseline must use both agents (else it measures discovery, not Loki's way); the default plan may choose not to, and that is measured.
      if (chunk === 1 && runs.some((r) => r.length === 0)) throw new Error(`an agent rendered nothing with --chunk 1 (Blender processes per agent: ${runs.map((r) => r.length).join(', ')}): both must be found for a fair baseline:\n${cli.output().slice(-2000)}`);
      const plan = /Rendering \d+ frame\(s\) of .*? in (.*?) →/.exec(cli.output())?.[1]?.trim() ?? 'plan line not printed';
      return { chunk, ms, plan, runs, beforeFirstMs: Math.min(...runs.flat().map((r) => r.start)) - spawnedAt };
    };

    const first = await farmRun('default'); // the scene's transfer, both agents' first shader compilations
    const loki: FarmRun[] = [];
    const chunked: FarmRun[] = [];
    for (let i = 0; i < PAIRS; i++) {
      if (i % 2 === 0) {
        loki.push(await farmRun(1));
        chunked.push(await farmRun('default'));
      } else {
        chunked.push(await farmRun('default'));
        loki.push(await farmRun(1));
      }
    }
    const perAgent = await farmRun(Math.ceil(FRAMES / AGENTS));
    const alone = await blenderAlone(blender, join(scratch.dir, 'eevee-cube.blend'), join(scratch.dir, 'alone'), { ...process.env, HOME: agentHome(1), XDG_CACHE_HOME: join(agentHome(1), '.cache') });

    const s = (ms: number) => (ms / 1000).toFixed(2);
    const list = (ms: number[]) => ms.map(s).join(', ');
    const ratios = chunked.map((c, i) => c.ms / loki[i]!.ms);
    const describe = (r: FarmRun) => `${s(r.ms)} s, ${r.runs.map((a) => a.length).join('+')} Blender processes (${s(blenderBusyMs(r.runs.flat()))} s of Blender in all), first Blender ${s(r.beforeFirstMs)} s after the CLI's start; plan: ${r.plan}`;
    const processCost = alone.startupMs + alone.firstFrameMs - alone.laterFrameMs;
    return [
      row({
        bench: 'eevee-lan',
        metric: `2 agents in network namespaces, EEVEE ${FRAMES} frames: Farmhand's default plan vs one Blender per frame (--chunk 1, how Loki Render renders)`,
        unit: 's',
        measured: round(median(chunked.map((r) => r.ms)) / 1000, 3),
        baseline: round(median(loki.map((r) => r.ms)) / 1000, 3),
        baselineLabel: 'the same farm with --chunk 1 (one Blender per frame), beside each default run',
        ratio: median(ratios),
        goal: { op: '<=', value: 0.5, on: 'ratio' },
        note: `${PAIRS} pairs; ratios ${ratios.map((r) => r.toFixed(3)).join(', ')}; default runs: ${chunked.map(describe).join(' | ')}; --chunk 1 runs: ${loki.map(describe).join(' | ')}`,
      }),
      row({
        bench: 'eevee-lan',
        metric: `the same with one chunk per agent (--chunk ${Math.ceil(FRAMES / AGENTS)}), once, vs the --chunk 1 median`,
        unit: 's',
        measured: round(perAgent.ms / 1000, 3),
        baseline: round(median(loki.map((r) => r.ms)) / 1000, 3),
        baselineLabel: '--chunk 1 median',
        note: describe(perAgent),
      }),
      row({
        bench: 'eevee-lan',
        metric: 'what one Blender process costs beyond its frames (start-up to first Fra: + first EEVEE frame − a later frame), Blender alone on one agent\'s caches',
        unit: 's',
        measured: round(processCost / 1000, 3),
        note: `start-up ${s(alone.startupMs)} s, first frame ${s(alone.firstFrameMs)} s, later frame ${s(alone.laterFrameMs)} s (one process, the other agent idle); one Blender per frame pays it ${FRAMES} times (≈ ${s(FRAMES * processCost)} s of agent time, ≈ ${s(FRAMES * processCost / AGENTS)} s of wall time on ${AGENTS} agents); one chunk per agent pays it ${AGENTS} times, once per agent`,
      }),
      row({
        bench: 'eevee-lan',
        metric: 'first run (the scene sent to both agents, their first shader compilations), default plan',
        unit: 's',
        measured: round(first.ms / 1000, 3),
        note: describe(first),
      }),
    ];
  } finally {
    await lan?.destroy();
    for (const agent of agents) await Promise.race([agent.exited, sleep(3000)]);
    await cleanupLeftovers(prefix);
    await scratch.cleanup();
  }
}
