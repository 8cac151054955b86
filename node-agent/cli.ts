import { Command, InvalidArgumentError } from 'commander';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { CacheLimitError, parseCacheLimit, type CacheLimit } from './cache-limit.js';
import { startCapabilityProbe, versionCacheFile } from './capabilities.js';
import { deviceCacheFile } from './gpu-device-cache.js';
import { DEFAULT_AGENT_PORT } from './protocol/constants.js';
import { FarmKeyError, parseFarmKey } from './protocol/farm-key.js';
import { describeRenderDevice, parseGpusOption, parseRenderDeviceOption, RenderDeviceError, type RenderDeviceChoice } from './render-device.js';

/**
 * `farmhand-agent`: the headless agent for a render machine. Start-up is on the path of
 * "agent started → visible in the controller": the tool probe (`blender --version`, half a
 * second on a first start) begins before the rest of the agent (ws, mDNS, schemas) is loaded,
 * so the two overlap.
 */

function positiveInt(name: string, max: number) {
  return (value: string) => {
    const n = Number(value);
    if (!Number.isInteger(n) || n < 1 || n > max) throw new InvalidArgumentError(`${name} must be a whole number from 1 to ${max}.`);
    return n;
  };
}

const program = new Command()
  .name('farmhand-agent')
  .description('Runs Blender and ffmpeg tasks for a Farmhand controller on this machine.')
  .option('--port <port>', 'port to listen on', (v) => (v === '0' ? 0 : positiveInt('--port', 65535)(v)), DEFAULT_AGENT_PORT)
  .option('--host <address>', 'address to listen on', '0.0.0.0')
  .option('--name <name>', 'name shown in the controller (default: hostname)')
  .option('--farm-key <key>', 'the farm key from `farmhand key` (or FARMHAND_FARM_KEY)')
  .option('--data-dir <dir>', 'where inputs, held outputs and the agent id live', process.env.FARMHAND_AGENT_HOME ?? join(homedir(), '.farmhand-agent'))
  .option('--slots <n>', 'tasks to run at once', positiveInt('--slots', 256), 1)
  .option('--tags <list>', 'comma-separated tags jobs can require', (v) => v.split(',').map((t) => t.trim()).filter(Boolean), [] as string[])
  .option('--mdns-interface <ip>', 'announce only on this interface address (default: FARMHAND_MDNS_INTERFACE, else all)')
  .option('--no-mdns', 'do not announce over mDNS (controllers must add this agent by address)')
  .option('--blender <path>', 'a Blender executable; repeat for several versions, the first is the default (default: FARMHAND_BLENDER, else found on PATH)', (v: string, all: string[]) => [...all, v], [] as string[])
  .option('--blender-dir <dir>', 'a folder of Blender installs, one per subfolder (blender-4.1.0-linux-x64/blender); repeatable, after the --blender ones', (v: string, all: string[]) => [...all, v], [] as string[])
  .option('--allow-scripts', "run the scene's Python (drivers, registered text blocks) for jobs submitted with --trust-scripts: arbitrary code, only on a trusted farm", false)
  .option('--ffmpeg <path>', 'ffmpeg executable (default: FARMHAND_FFMPEG, else found on PATH)')
  .option('--cache-limit <size>', 'most disk the input cache keeps, least recently used files going first: bytes (50GB, 500MB) or a share of the disk (default: 25%)', (v) => {
    try {
      return parseCacheLimit(v);
    } catch (error) {
      if (error instanceof CacheLimitError) throw new InvalidArgumentError(error.message);
      throw error;
    }
  })
  .option('--render-device <device>', 'where Cycles renders a GPU scene: auto (the best GPU backend found, OPTIX before CUDA, then HIP, ONEAPI, METAL; else the CPU), cpu, or one of OPTIX, CUDA, HIP, ONEAPI, METAL', (v) => asOption(() => parseRenderDeviceOption(v)), 'auto' as RenderDeviceChoice)
  .option('--gpus <list>', "which of the backend's GPUs render: comma-separated device ids or indexes (0,1; default: all)", (v) => asOption(() => parseGpusOption(v)))
  .option('--cpu-threads <n>', "Blender's render threads (-t) for a task that sets none", positiveInt('--cpu-threads', 1024))
  .option('--reprobe', "ask each Blender's Cycles for its GPUs again instead of using the answers cached in the data folder", false)
  .option('--allow-noop', 'accept no-op test tasks (benchmarks and tests only)', false)
  .option('--quiet', 'print only errors', false);

/** A parse error of ours as commander's, so it prints as `error: option '--gpus <list>' argument '…' is invalid. <sentence>`. */
function asOption<T>(parse: () => T): T {
  try {
    return parse();
  } catch (error) {
    if (error instanceof RenderDeviceError) throw new InvalidArgumentError(error.message);
    throw error;
  }
}

async function main(): Promise<void> {
  program.parse();
  const o = program.opts<{
    port: number; host: string; name?: string; farmKey?: string; dataDir: string; slots: number; tags: string[];
    mdnsInterface?: string; mdns: boolean; blender: string[]; blenderDir: string[]; allowScripts: boolean; ffmpeg?: string; allowNoop: boolean; quiet: boolean; cacheLimit?: CacheLimit;
    renderDevice: RenderDeviceChoice; gpus?: string[]; cpuThreads?: number; reprobe: boolean;
  }>();
  const devices = { renderDevice: o.renderDevice, gpus: o.gpus, reprobe: o.reprobe };
  const keySource = o.farmKey ? '--farm-key' : process.env.FARMHAND_FARM_KEY ? 'FARMHAND_FARM_KEY' : undefined;
  const farmKey = parseFarmKey(o.farmKey ?? process.env.FARMHAND_FARM_KEY, keySource);
  const log = (line: string) => !o.quiet && console.log(`[agent] ${line}`);
  const capabilities = startCapabilityProbe({
    blenderPaths: o.blender, blenderDirs: o.blenderDir, allowScripts: o.allowScripts, ffmpegPath: o.ffmpeg, allowNoop: o.allowNoop, versionCache: versionCacheFile(o.dataDir),
    ...devices, deviceCache: deviceCacheFile(o.dataDir),
  });
  const { createAgent } = await import('./create-agent.js');
  const agent = await createAgent({
    capabilities,
    farmKey,
    dataDir: o.dataDir,
    port: o.port,
    host: o.host,
    name: o.name,
    slots: o.slots,
    tags: o.tags,
    mdns: o.mdns ? { interfaceAddress: o.mdnsInterface ?? process.env.FARMHAND_MDNS_INTERFACE } : false,
    blenderPaths: o.blender,
    blenderDirs: o.blenderDir,
    allowScripts: o.allowScripts,
    ffmpegPath: o.ffmpeg,
    allowNoop: o.allowNoop,
    cacheLimit: o.cacheLimit,
    ...devices,
    cpuThreads: o.cpuThreads,
    log,
  });
  for (const warning of agent.warnings) console.warn(`[agent] warning: ${warning}`);
  const caps = agent.capabilities;
  log(`${agent.name} (${agent.agentId}) listening on ${o.host}:${agent.port}; ` +
    `blender ${caps.blenders?.map((b) => b.version).join(', ') ?? 'absent'}, ffmpeg ${caps.ffmpeg?.version ?? 'absent'}, ${caps.cores} cores, ${o.slots} slot(s)` +
    (o.mdns ? '' : '; mDNS off'));
  log(describeRenderDevice(capabilities.renderSetup!(), caps.blenders ?? []));
  for (const [i, b] of (caps.blenders ?? []).entries()) log(`Blender ${b.version} at ${b.path}${i === 0 ? ' (the default)' : ''}`);
  if (o.allowScripts) log("--allow-scripts: jobs submitted with --trust-scripts run their scene's Python here");
  const stop = async () => {
    await agent.close();
    process.exit(0);
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

main().catch((error: Error) => {
  const known = error instanceof FarmKeyError || error instanceof RenderDeviceError || /^Port \d+/.test(error.message);
  console.error(`farmhand-agent: ${known ? error.message : error.stack ?? error.message}`);
  process.exit(2);
});
