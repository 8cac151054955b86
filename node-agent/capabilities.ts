import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, realpathSync, rmSync } from 'node:fs';
import { cpus, tmpdir, totalmem } from 'node:os';
import { dirname, join } from 'node:path';
import { FFMPEG_TASK_TYPES } from './protocol/constants.js';
import { findOnPath, resolveExecutable } from './host/find-executable.js';
import type { BlenderInstall, Capabilities } from './protocol/messages.js';
import { blenderCandidates, distinctBlenders } from './blender-installs.js';
import { ToolVersionCache } from './tool-version-cache.js';
import { attachDevices } from './blender-devices.js';
import { deviceCacheFile, GpuDeviceCache } from './gpu-device-cache.js';
import { AgentRenderDevice, type RenderDeviceChoice, type RenderDeviceSetup } from './render-device.js';

/**
 * What this agent can run, told to the controller in `agent.hello`. A tool counts only if it
 * actually starts and reports a version: a path that exists but does not run (wrong
 * architecture, missing libraries) would otherwise fail every task it is given. Problems
 * become `warnings` the agent prints, never a crash: an agent without Blender still runs
 * other task types.
 */

export type ProbedCapabilities = Capabilities & { warnings: string[] };

const VERSION_TIMEOUT_MS = 15_000;

/** Where an agent keeps the versions its tools reported (see ToolVersionCache). */
export function versionCacheFile(dataDir: string): string {
  return join(dataDir, 'tool-versions.json');
}

export interface ProbeOptions {
  blenderPath?: string;
  /** Several Blenders (`--blender` repeated; after blenderPath): see blender-installs.ts. */
  blenderPaths?: readonly string[];
  /** Folders of Blender installs (`--blender-dir`), each subfolder one install. */
  blenderDirs?: readonly string[];
  /** `--allow-scripts`: advertised, so only jobs that trust their scripts' Python get `-y` here. */
  allowScripts?: boolean;
  ffmpegPath?: string;
  allowNoop: boolean;
  versionCache?: string;
  /** Only these tools are looked for (an agent kept to some task types starts no other tool). */
  tools?: readonly ('blender' | 'ffmpeg')[];
  /** `--render-device` (default auto) and `--gpus`: resolved against the GPUs Cycles finds (render-device.ts). */
  renderDevice?: RenderDeviceChoice;
  gpus?: readonly string[];
  /** Where the Blenders' device probes are cached (default: beside versionCache; gpu-device-cache.ts); `reprobe`: probe them again (`--reprobe`). */
  deviceCache?: string;
  reprobe?: boolean;
}

/**
 * A probe under way. `current()` is what is confirmed so far, with the task types whose tool
 * is still being started listed in `checking`: an agent greets its controller with that at
 * once and sends `agent.capabilities` when `done` settles, so a first start ever is not
 * hidden for the half second or more `blender --version` takes here (a restart reads the
 * cached versions and is complete at once).
 */
export interface CapabilityProbe {
  current(): Capabilities;
  /** The render device and the GPUs it uses (the CPU until the Blenders are probed); absent: the CPU. */
  renderSetup?(): RenderDeviceSetup;
  /** Rejects with a RenderDeviceError when `--render-device`/`--gpus` name what the machine lacks. */
  done: Promise<ProbedCapabilities>;
}

export function probeCapabilities(o: ProbeOptions): Promise<ProbedCapabilities> {
  return startCapabilityProbe(o).done;
}

export function startCapabilityProbe(o: ProbeOptions): CapabilityProbe {
  const warnings: string[] = [];
  const scratch = new ProbeScratch();
  const versions = new ToolVersionCache(o.versionCache);
  const renderDevice = new AgentRenderDevice(o.renderDevice, o.gpus);
  const deviceCache = o.deviceCache ?? (o.versionCache !== undefined ? deviceCacheFile(dirname(o.versionCache)) : undefined);
  const deviceProbe = { cache: new GpuDeviceCache(deviceCache, o.reprobe), scratchHome: () => scratch.path, warnings };
  const withDevices = (listed: BlenderInstall[] | Promise<BlenderInstall[]>) =>
    listed instanceof Promise ? listed.then((installs) => attachDevices(installs, deviceProbe)) : attachDevices(listed, deviceProbe);
  const found: { blenders?: BlenderInstall[]; ffmpeg?: ToolFound } = {};
  // current() is asked for every task (thousands a second): it is rebuilt only when a tool answers.
  let snapshot: Capabilities | null = null;
  const probing = (spec: ToolSpec, key: 'ffmpeg') => {
    const answer = !o.tools || o.tools.includes(key) ? probeTool(spec, scratch, warnings, versions) : null;
    const settle = (tool: ToolFound) => {
      found[key] = tool;
      snapshot = null;
    };
    if (answer instanceof Promise) return answer.then(settle);
    settle(answer);
    return Promise.resolve();
  };
  const machine = { cores: Math.max(1, cpus().length), memoryBytes: totalmem(), platform: process.platform };
  const probingBlenders = () => {
    const settle = (installs: BlenderInstall[]) => {
      renderDevice.settle(installs);
      found.blenders = installs;
      snapshot = null;
    };
    const answer = !o.tools || o.tools.includes('blender') ? withDevices(probeBlenders(o, scratch, warnings, versions)) : [];
    if (answer instanceof Promise) return answer.then(settle);
    settle(answer);
    return Promise.resolve();
  };
  const both = Promise.all([
    probingBlenders(),
    probing({ label: 'ffmpeg', explicit: o.ffmpegPath, envName: 'FARMHAND_FFMPEG', command: 'ffmpeg', args: ['-version'], parse: /^ffmpeg version\s+(\S+)/m, taskType: 'video' }, 'ffmpeg'),
  ]);
  const current = (): Capabilities => (snapshot ??= build());
  const build = (): Capabilities => {
    const taskTypes: string[] = [];
    const checking: string[] = [];
    const blenders = found.blenders;
    if (blenders?.length) taskTypes.push('blender');
    else if (blenders === undefined) checking.push('blender'); // still running: a missing tool answers at once
    if (found.ffmpeg) taskTypes.push(...FFMPEG_TASK_TYPES);
    else if (found.ffmpeg === undefined) checking.push(...FFMPEG_TASK_TYPES);
    if (o.allowNoop) taskTypes.push('noop');
    return {
      blender: blenders?.length ? { path: blenders[0]!.path, version: blenders[0]!.version } : null,
      ffmpeg: found.ffmpeg ?? null,
      ...machine,
      taskTypes,
      ...(checking.length ? { checking } : {}),
      ...(blenders?.length ? { blenders, renderDevice: renderDevice.current().renderDevice } : {}),
      ...(o.allowScripts ? { allowScripts: true } : {}),
    };
  };
  const done = both.then(() => {
    versions.save();
    if (renderDevice.error) throw renderDevice.error;
    return { ...current(), warnings };
  }).finally(() => scratch.remove());
  // A refusal (RenderDeviceError) may settle before anyone awaits `done` (the CLI loads the rest
  // of the agent first): marked handled here, so it reaches the awaiting caller, not the process.
  done.catch(() => undefined);
  return { current, renderSetup: () => renderDevice.current(), done };
}

type ToolFound = { path: string; version: string } | null;

const BLENDER_TOOL: ToolSpec = { label: 'Blender', explicit: undefined, envName: 'FARMHAND_BLENDER', command: 'blender', args: ['--version'], parse: /^Blender\s+(\S+)/m, taskType: 'Blender' };

/**
 * Every Blender the agent was given, each probed like any tool (`--version`, cached), in the
 * order given (blender-installs.ts); one that does not run is left out with a warning. At once
 * when every answer is (all cached or absent), else when the last one has answered.
 */
function probeBlenders(o: ProbeOptions, scratch: ProbeScratch, warnings: string[], versions: ToolVersionCache): BlenderInstall[] | Promise<BlenderInstall[]> {
  const given = blenderCandidates({ paths: [...(o.blenderPath !== undefined ? [o.blenderPath] : []), ...(o.blenderPaths ?? [])], dirs: o.blenderDirs }, warnings);
  const several = given !== undefined && given.length > 1;
  const answers = (given ?? [undefined]).map((explicit) =>
    probeTool({ ...BLENDER_TOOL, explicit, ...(several ? { without: 'it is left out' } : {}) }, scratch, warnings, versions));
  const settle = (tools: ToolFound[]): BlenderInstall[] => {
    const probed = tools.filter((t): t is NonNullable<ToolFound> => t !== null).map((t) => ({ ...t, realPath: realPathOf(t.path) }));
    const installs = distinctBlenders(probed, warnings);
    if (given !== undefined && given.length !== 1 && installs.length === 0) {
      warnings.push(given.length === 0 ? 'No Blender install was found; this agent will not take Blender tasks.' : `None of the ${given.length} Blenders given runs; this agent will not take Blender tasks.`);
    }
    return installs;
  };
  return answers.some((a) => a instanceof Promise) ? Promise.all(answers).then(settle) : settle(answers as ToolFound[]);
}

function realPathOf(path: string): string {
  try {
    return realpathSync(path);
  } catch {
    return path;
  }
}

/**
 * A throw-away HOME for the tools' `--version` runs (Blender writes into its HOME), made only
 * when a version is not cached: on every start after the first, nothing is created or deleted.
 */
class ProbeScratch {
  private dir: string | null = null;
  get path(): string {
    return (this.dir ??= mkdtempSync(join(tmpdir(), 'farmhand-probe-')));
  }
  remove(): void {
    if (this.dir) rmSync(this.dir, { recursive: true, force: true });
  }
}

/** Where a tool is: the option, else its environment variable, else PATH; `given` is what the user named, if anything. */
function locateTool(explicit: string | undefined, envName: string, command: string): { given: string | undefined; path: string | null } {
  const given = explicit ?? (process.env[envName] || undefined);
  return { given, path: given !== undefined ? resolveExecutable(given) : findOnPath(command) };
}

interface ToolSpec {
  label: string;
  explicit: string | undefined;
  envName: string;
  command: string;
  args: string[];
  parse: RegExp;
  /** What the agent gives up without the tool, for the warning. */
  taskType: string;
  /** What follows when this one is absent, if not "this agent will not take <taskType> tasks" (one of several Blenders). */
  without?: string;
}

/** The tool's answer: at once when it is absent or its version is cached, else once it has run. */
function probeTool(t: ToolSpec, scratch: ProbeScratch, warnings: string[], versions: ToolVersionCache): ToolFound | Promise<ToolFound> {
  const { given, path } = locateTool(t.explicit, t.envName, t.command);
  if (path === null) {
    if (given !== undefined) {
      const problem = existsSync(given) ? 'is not an executable program' : 'was not found';
      warnings.push(`${t.label} at ${given} ${problem}; ${t.without ?? `this agent will not take ${t.taskType} tasks`}.`);
    }
    return null;
  }
  const cached = versions.get(path);
  if (cached) return { path, version: cached };
  return readVersion(path, t.args, t.parse, scratch.path).then((answer) => {
    const version = answer.slice(0, 64);
    versions.set(path, version);
    return { path, version };
  }, (error: Error) => {
    warnings.push(`${t.label} at ${path} did not run (${error.message}); ${t.without ?? `this agent will not take ${t.taskType} tasks`}.`);
    return null;
  });
}

function readVersion(path: string, args: string[], parse: RegExp, scratch: string): Promise<string> {
  return new Promise((done, fail) => {
    execFile(path, args, {
      timeout: VERSION_TIMEOUT_MS,
      killSignal: 'SIGKILL',
      maxBuffer: 1024 * 1024,
      env: { ...process.env, HOME: scratch, XDG_CACHE_HOME: join(scratch, '.cache') },
    }, (error, stdout) => {
      if (error) {
        const timedOut = (error as { killed?: boolean }).killed;
        return fail(new Error(timedOut ? `no answer to ${args.join(' ')} within ${VERSION_TIMEOUT_MS / 1000} s` : error.message.split('\n')[0]));
      }
      const match = parse.exec(stdout);
      if (!match) return fail(new Error(`unexpected answer to ${args.join(' ')}: ${JSON.stringify(stdout.split('\n')[0]?.slice(0, 80) ?? '')}`));
      done(match[1]!);
    });
  });
}
