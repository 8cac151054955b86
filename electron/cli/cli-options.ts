import { InvalidArgumentError, Option, type Command } from 'commander';
import { FFMPEG_TASK_TYPES } from '../../node-agent/protocol/constants.js';
import type { PathMapRule } from '../controller/api/contract.js';

/** Option parsers and option sets shared by the commands; commander reports their errors as one line. */

export function integer(name: string, min: number, max: number) {
  return (value: string) => {
    const n = Number(value);
    if (!Number.isInteger(n) || n < min || n > max) throw new InvalidArgumentError(`${name} must be a whole number from ${min} to ${max}.`);
    return n;
  };
}

export const collect = (value: string, previous: string[]) => [...previous, value];

/** `--map-path FROM=TO` (repeatable): one path-mapping rule more. */
export function pathMapRule(value: string, previous: PathMapRule[]): PathMapRule[] {
  // Split at the last `=`: a Windows or UNC path on the left has none, a folder on the right rarely does.
  const at = value.lastIndexOf('=');
  const rule = at > 0 && at < value.length - 1 ? { from: value.slice(0, at), to: value.slice(at + 1) } : undefined;
  if (!rule) throw new InvalidArgumentError(`--map-path takes FROM=TO, such as C:\\textures=/mnt/textures, not "${value}".`);
  return [...previous, rule];
}

/** `--target-chunk-minutes M`: the longest a chunk Farmhand sizes should run (minutes above 0, at most a day). */
export function targetChunkMinutes(value: string): number {
  const n = Number(value);
  if (!(n > 0 && n <= 24 * 60)) throw new InvalidArgumentError('--target-chunk-minutes must be a number of minutes above 0, at most 1440.');
  return n;
}

/** `--blender-version X.Y`: a Blender major.minor, the form the job pins. */
export function blenderVersion(value: string): string {
  if (!/^\d{1,3}\.\d{1,3}$/.test(value.trim())) throw new InvalidArgumentError(`--blender-version takes a Blender major.minor, like 4.1, not "${value}".`);
  return value.trim();
}

/** The render options that choose an agent's renderer (device, Blender version, scripts), the same for `render` and `submit`. */
export function withRendererOptions(command: Command, prefix = ''): Command {
  return command
    .option('--device <device>', `${prefix}where Cycles renders: any (the scene's own setting), cpu, or gpu (only agents with a GPU)`, choice('--device', ['any', 'cpu', 'gpu'] as const))
    .option('--blender-version <X.Y>', `${prefix}render only with this Blender major.minor, e.g. 4.1 (never one older than the file's)`, blenderVersion)
    .option('--trust-scripts', `${prefix}run the scene's Python (drivers, registered text blocks) on agents started with --allow-scripts`, false);
}

/** `a,b` → ['a', 'b'] (an empty string is an empty list, to clear tags). */
export function commaList(value: string): string[] {
  return value.split(',').map((s) => s.trim()).filter(Boolean);
}

/** A comma list whose items must be among `allowed` (job or task states). */
export function choiceList(name: string, allowed: readonly string[]) {
  return (value: string) => {
    const items = commaList(value);
    const bad = items.find((s) => !allowed.includes(s));
    if (bad !== undefined || items.length === 0) throw new InvalidArgumentError(`${name} takes ${allowed.join(', ')} (comma-separated), not "${bad ?? value}".`);
    return items;
  };
}

/** One of `allowed` (an enum of the API contract, such as the image formats), refused in the contract's own terms. */
export function choice<T extends string>(name: string, allowed: readonly T[]) {
  return (value: string): T => {
    const found = allowed.find((s) => s === value);
    if (found === undefined) throw new InvalidArgumentError(`${name} takes ${allowed.join(', ')}, not "${value}".`);
    return found;
  };
}

const LOCAL_AGENT_TYPES = ['blender', ...FFMPEG_TASK_TYPES];

/** Options of every command that runs the farm in this process: which agents, the farm key, the tools. */
export function withAgentOptions(command: Command): Command {
  return command
    .option('--agent <url>', 'an agent to use, wss://HOST:PORT (repeatable)', collect, [] as string[])
    .option('--no-discover', 'do not look for agents over mDNS')
    .option('--mdns-interface <ip>', 'discover agents only on this interface address (default: FARMHAND_MDNS_INTERFACE, else all)')
    .option('--no-local-agent', 'do not render on this machine')
    .option('--local-agent-types <list>', `task types this machine runs, comma-separated (default: all its tools allow; e.g. transcode-join: it only joins, with the chunks it already holds)`, choiceList('--local-agent-types', LOCAL_AGENT_TYPES))
    .option('--farm-key <key>', 'the farm key (default: FARMHAND_FARM_KEY, else the one in the data folder)')
    .option('--blender <path>', 'Blender for the local agent and scene reading (default: FARMHAND_BLENDER, else PATH)');
}

/** Options of the one-shot commands (render, transcode): the farm, plus how long to wait for an agent. */
export function withFarmOptions(command: Command): Command {
  return withAgentOptions(command)
    .addOption(new Option('--agent-wait <seconds>', 'give up when no agent can run the job for this long').argParser(integer('--agent-wait', 1, 86_400)).default(15))
    .option('--quiet', 'print only the result', false);
}
