import { copyFile, mkdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { generateFarmKey } from '../node-agent/protocol/index.js';
import { findBlender } from '../electron/controller/jobs/blender/find-blender.js';
import { cliCommand, freePort, prepareCli, ROOT, startChild, waitForPort, type Child } from './lib/processes.js';
import { row, round, type Row } from './lib/row.js';
import { childEnv, scratchDir, waitFor } from './lib/scratch.js';
import { median } from './lib/stats.js';

/** What this benchmark does, for BENCHMARKS.md. */
export const about =
  'Loopback only: 2 `farmhand-agent` processes (`--host 127.0.0.1 --mdns-interface 127.0.0.1`, 1 slot each) are up before the runs; the command is `farmhand render spinning-cube.blend --frames 1 --no-local-agent` with FARMHAND_MDNS_INTERFACE=127.0.0.1 (discovery on, over loopback mDNS only), timed from spawning the CLI to the agent\'s `task … started` line, which the agent prints the moment its `task.assign` arrives (read from its stdout pipe by this process, on this process\'s clock). Known agents: a FARMHAND_HOME that rendered with these agents once before (its remembered agents file lists them). No known agents: the remembered file removed before each run (the path every run took before agents were remembered: discovery over loopback mDNS). Also from the same runs: spawn → the agent\'s `controller connected` line (TLS-PSK link up) and → the CLI\'s `Rendering …` line (job admitted). Baseline in the same run: `node -e \'\'` spawned to its exit (Node\'s own start and exit, the floor of any CLI); `farmhand --help` spawned to its exit is reported beside it (the CLI\'s own load). 5 runs each, alternating, medians; each run renders its one frame to the end.';

/**
 * Command start → first assignment of a one-shot `farmhand render`, with agents already known
 * (remembered from an earlier run) and without (discovery only). Honest end point: the agent's
 * own line on receiving `task.assign` (node-agent/task-executor.ts logs it synchronously), read
 * from its stdout by this process, so start and end are on one clock.
 */

const REPETITIONS = 5;
const AGENTS = 2;
const RUN_TIMEOUT_MS = 60_000;
const GOAL_MS = 500;

interface Stamped {
  child: Child;
  /** Lines with the time this process read them. */
  lines: { at: number; text: string }[];
}

/** Both of its pipes: the agent logs on stdout, the CLI prints its lines on stderr. */
function stampLines(child: Child): Stamped {
  const stamped: Stamped = { child, lines: [] };
  for (const stream of [child.process.stdout, child.process.stderr]) {
    let partial = '';
    stream?.on('data', (chunk: Buffer) => {
      const at = performance.now();
      const parts = (partial + chunk.toString()).split('\n');
      partial = parts.pop() ?? '';
      for (const text of parts) if (stamped.lines.length < 10_000) stamped.lines.push({ at, text });
    });
  }
  return stamped;
}

function firstLineAfter(s: Stamped, since: number, pattern: RegExp): number | null {
  return s.lines.find((l) => l.at >= since && pattern.test(l.text))?.at ?? null;
}

/** Spawned to its exit: `node -e ''` (the baseline), or the CLI printing its help (its own load, nothing run). */
async function spawnToExitMs(command: string, args: string[]): Promise<number> {
  const started = performance.now();
  const child = startChild(command, args);
  await child.exited;
  return performance.now() - started;
}

interface RunTimes {
  assigned: number;
  connected: number | null;
  admitted: number | null;
}

export async function run(): Promise<Row[]> {
  if (!findBlender()) throw new Error('Blender is not installed (apt-get install blender, or set FARMHAND_BLENDER).');
  await prepareCli();
  const scratch = await scratchDir('first-assignment');
  const farmKey = generateFarmKey();
  const agents: Stamped[] = [];
  try {
    const scene = join(scratch.dir, 'spinning-cube.blend');
    await copyFile(join(ROOT, 'assets/examples/spinning-cube.blend'), scene);
    const env = childEnv(scratch.home, { FARMHAND_FARM_KEY: farmKey });
    const agentCli = cliCommand('farmhand-agent');
    for (let i = 0; i < AGENTS; i++) {
      const port = await freePort();
      const dataDir = join(scratch.dir, `agent-${i}`);
      await mkdir(dataDir, { recursive: true });
      const child = startChild(agentCli.command, [...agentCli.args, '--host', '127.0.0.1', '--port', String(port), '--mdns-interface', '127.0.0.1', '--data-dir', dataDir, '--name', `bench-agent-${i}`], { env });
      const stamped = stampLines(child);
      agents.push(stamped);
      await waitForPort(port, child, 20_000);
    }
    const cli = cliCommand('farmhand');
    const farmHome = join(scratch.dir, 'farm-home');
    const renderOnce = async (known: boolean, n: number): Promise<RunTimes> => {
      if (!known) await rm(join(farmHome, 'known-agents.json'), { force: true });
      const out = join(scratch.dir, `out-${known ? 'known' : 'cold'}-${n}`);
      const started = performance.now();
      const child = startChild(cli.command, [...cli.args, 'render', scene, '--frames', '1', '--no-local-agent', '--agent-wait', '120', '--out', out], { cwd: scratch.dir, env: { ...env, FARMHAND_HOME: farmHome } });
      const cliLines = stampLines(child);
      const timer = setTimeout(() => void child.stop(), RUN_TIMEOUT_MS);
      const exit = await child.exited;
      clearTimeout(timer);
      if (exit.code !== 0) throw new Error(`farmhand render failed (exit ${exit.code ?? exit.signal}):\n${child.output().slice(-3000)}`);
      // The agent's line may still be in its pipe when the CLI's exit is seen (it never is in practice: the frame came back first).
      await waitFor(() => agents.some((a) => firstLineAfter(a, started, /\] task \S+ attempt \d+ started/) !== null), 'the agent\'s task line', 5000);
      const at = (pattern: RegExp) => {
        const times = agents.map((a) => firstLineAfter(a, started, pattern)).filter((t): t is number => t !== null);
        return times.length ? Math.min(...times) - started : null;
      };
      const admittedAt = firstLineAfter(cliLines, started, /^Rendering \d+ frame/);
      return { assigned: at(/\] task \S+ attempt \d+ started/)!, connected: at(/\] controller connected from/), admitted: admittedAt === null ? null : admittedAt - started };
    };

    // An earlier run: the farm home remembers the agents from here on (its first run also creates the farm home's files,
    // and waits out the agents' first check of their Blender: --agent-wait 120 for a loaded machine).
    await renderOnce(false, 0);
    const nodeStart: number[] = [];
    const cliHelp: number[] = [];
    const known: RunTimes[] = [];
    const cold: RunTimes[] = [];
    for (let i = 1; i <= REPETITIONS; i++) {
      nodeStart.push(await spawnToExitMs(process.execPath, ['-e', '']));
      cliHelp.push(await spawnToExitMs(cli.command, [...cli.args, '--help']));
      known.push(await renderOnce(true, i));
      cold.push(await renderOnce(false, i));
    }
    // The last cold run left the agents remembered again; nothing else depends on it.
    const med = (runs: RunTimes[], key: keyof RunTimes) => {
      const values = runs.map((r) => r[key]).filter((v): v is number => v !== null);
      return values.length ? round(median(values), 1) : null;
    };
    const baseline = round(median(nodeStart), 1);
    const breakdown = (runs: RunTimes[]) => `spawn → agent connected ${med(runs, 'connected')} ms → job admitted ${med(runs, 'admitted')} ms → first assignment ${med(runs, 'assigned')} ms (medians); runs: ${runs.map((r) => Math.round(r.assigned)).join(', ')} ms`;
    return [
      row({
        bench: 'first-assignment',
        metric: 'command start → first assignment, agents known and up (2 agents on loopback)',
        unit: 'ms',
        measured: med(known, 'assigned'),
        baseline,
        baselineLabel: "`node -e ''` spawned to its exit",
        goal: { op: '<=', value: GOAL_MS },
        note: `${breakdown(known)}. \`farmhand --help\` spawned to its exit (the CLI's own load): ${round(median(cliHelp), 1)} ms. CLI: ${cli.reason}.`,
      }),
      row({
        bench: 'first-assignment',
        metric: 'command start → first assignment, no known agents (discovery over loopback mDNS)',
        unit: 'ms',
        measured: med(cold, 'assigned'),
        baseline,
        baselineLabel: "`node -e ''` spawned to its exit",
        note: breakdown(cold),
      }),
    ];
  } finally {
    await Promise.all(agents.map((a) => a.child.stop()));
    await scratch.cleanup();
  }
}
