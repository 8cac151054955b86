import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { cpus, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import { FFMPEG_TASK_TYPES } from './protocol/constants.js';
import { findOnPath, resolveExecutable } from './host/find-executable.js';
import type { Capabilities } from './protocol/messages.js';
import { ToolVersionCache } from './tool-version-cache.js';

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
  ffmpegPath?: string;
  allowNoop: boolean;
  versionCache?: string;
  /** Only these tools are looked for (an agent kept to some task types starts no other tool). */
  tools?: readonly ('blender' | 'ffmpeg')[];
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
  done: Promise<ProbedCapabilities>;
}

export function probeCapabilities(o: ProbeOptions): Promise<ProbedCapabilities> {
  return startCapabilityProbe(o).done;
}

export function startCapabilityProbe(o: ProbeOptions): CapabilityProbe {
  const warnings: string[] = [];
  const scratch = new ProbeScratch();
  const versions = new ToolVersionCache(o.versionCache);
  const found: { blender?: ToolFound; ffmpeg?: ToolFound } = {};
  // current() is asked for every task (thousands a second): it is rebuilt only when a tool answers.
  let snapshot: Capabilities | null = null;
  const probing = (spec: ToolSpec, key: 'blender' | 'ffmpeg') => {
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
  const both = Promise.all([
    probing({ label: 'Blender', explicit: o.blenderPath, envName: 'FARMHAND_BLENDER', command: 'blender', args: ['--version'], parse: /^Blender\s+(\S+)/m, taskType: 'Blender' }, 'blender'),
    probing({ label: 'ffmpeg', explicit: o.ffmpegPath, envName: 'FARMHAND_FFMPEG', command: 'ffmpeg', args: ['-version'], parse: /^ffmpeg version\s+(\S+)/m, taskType: 'video' }, 'ffmpeg'),
  ]);
  const current = (): Capabilities => (snapshot ??= build());
  const build = (): Capabilities => {
    const taskTypes: string[] = [];
    const checking: string[] = [];
    if (found.blender) taskTypes.push('blender');
    else if (found.blender === undefined) checking.push('blender'); // still running: a missing tool answers at once
    if (found.ffmpeg) taskTypes.push(...FFMPEG_TASK_TYPES);
    else if (found.ffmpeg === undefined) checking.push(...FFMPEG_TASK_TYPES);
    if (o.allowNoop) taskTypes.push('noop');
    return {
      blender: found.blender ?? null,
      ffmpeg: found.ffmpeg ?? null,
      ...machine,
      taskTypes,
      ...(checking.length ? { checking } : {}),
    };
  };
  const done = both.then(() => {
    versions.save();
    return { ...current(), warnings };
  }).finally(() => scratch.remove());
  return { current, done };
}

type ToolFound = { path: string; version: string } | null;

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
}

/** The tool's answer: at once when it is absent or its version is cached, else once it has run. */
function probeTool(t: ToolSpec, scratch: ProbeScratch, warnings: string[], versions: ToolVersionCache): ToolFound | Promise<ToolFound> {
  const { given, path } = locateTool(t.explicit, t.envName, t.command);
  if (path === null) {
    if (given !== undefined) {
      const problem = existsSync(given) ? 'is not an executable program' : 'was not found';
      warnings.push(`${t.label} at ${given} ${problem}; this agent will not take ${t.taskType} tasks.`);
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
    warnings.push(`${t.label} at ${path} did not run (${error.message}); this agent will not take ${t.taskType} tasks.`);
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
