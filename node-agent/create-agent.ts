import { hostname } from 'node:os';
import { mkdir } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { reapAndTrackGroups } from './runners/orphan-groups.js';
import { loadOrCreateAgentId } from './agent-identity.js';
import { AgentServer } from './agent-server.js';
import { startCapabilityProbe, versionCacheFile, type CapabilityProbe, type ProbeOptions } from './capabilities.js';
import { withAutomaticTags } from './protocol/automatic-tags.js';
import { deviceCacheFile } from './gpu-device-cache.js';
import { deviceSummary, type RenderDeviceChoice, type RenderDeviceSetup } from './render-device.js';
import { cacheLimitBytes, DEFAULT_CACHE_LIMIT, type CacheLimit } from './cache-limit.js';
import { InputCache } from './input-cache.js';
import { JobWorkspaces } from './job-workspace.js';
import { JobWorkspaceLists } from './job-workspace-lists.js';
import { createLocalHandoff } from './local-handoff.js';
import { OutputHold } from './output-hold.js';
import { DEFAULT_AGENT_PORT, FFMPEG_TASK_TYPES, PROTOCOL_VERSION, TXT_KEYS, type Capabilities, type LocalHandoff } from './protocol/index.js';
import { TaskExecutor } from './task-executor.js';

/** The agent's composition root: used by the `farmhand-agent` CLI, the embedded local agent and the tests. */

export interface AgentOptions {
  farmKey: string;
  dataDir: string;
  /** 0 picks a free port. */
  port?: number;
  host?: string;
  name?: string;
  slots?: number;
  tags?: string[];
  /** false: no announcement (reached by address only). */
  mdns?: false | { interfaceAddress?: string };
  blenderPath?: string;
  /** More Blenders (`--blender` repeated), after blenderPath; the first of all is the default. */
  blenderPaths?: readonly string[];
  /** Folders of Blender installs (`--blender-dir`). */
  blenderDirs?: readonly string[];
  /** `--allow-scripts`: a job that trusts its scene's scripts runs them here (`-y`). */
  allowScripts?: boolean;
  /** `--render-device` (default auto) and `--gpus` (render-device.ts); `reprobe`: ask each Blender's Cycles for its GPUs again. */
  renderDevice?: RenderDeviceChoice;
  gpus?: readonly string[];
  reprobe?: boolean;
  /** `--cpu-threads`: Blender's `-t` for a task that names no threads of its own. */
  cpuThreads?: number;
  ffmpegPath?: string;
  /** Run only these task types of those its tools allow (the local agent kept to joins: `--local-agent-types`). */
  taskTypes?: readonly string[];
  /** Accept no-op tasks (benchmarks and tests only). */
  allowNoop?: boolean;
  /** How big the input cache may grow (default: a quarter of the data folder's disk). */
  cacheLimit?: CacheLimit;
  /** How long a job's workspace stays after its last task on this agent ended (default 10 minutes). */
  workspaceIdleMs?: number;
  /** A capability probe the caller already started (the CLI starts it before loading the rest of the agent). */
  capabilities?: CapabilityProbe;
  log?(line: string): void;
}

export interface Agent {
  agentId: string;
  name: string;
  port: number;
  /** wss:// URL on loopback (or the bound host), for controllers on the same machine. */
  url: string;
  capabilities: Capabilities;
  warnings: string[];
  /** For the controller in the same process only: files pass on disk (local-handoff.ts). */
  handoff: LocalHandoff;
  close(): Promise<void>;
}

export async function createAgent(options: AgentOptions): Promise<Agent> {
  // Runners start tools in their own work folders, so every path they are given must be absolute.
  const o = { ...options, dataDir: resolve(options.dataDir) };
  const log = o.log ?? (() => undefined);
  await mkdir(o.dataDir, { recursive: true });
  const agentId = await loadOrCreateAgentId(o.dataDir);
  const name = o.name ?? hostname();
  const slots = o.slots ?? 1;
  const reaped = reapAndTrackGroups(join(o.dataDir, 'process-groups.json'));
  if (reaped > 0) log(`stopped ${reaped} render process group(s) left running by a previous run of this agent`);
  const scratchHome = join(o.dataDir, 'scratch-home');
  await mkdir(scratchHome, { recursive: true });
  // The probe runs `blender --version` on a first start (most of a second): the agent listens,
  // announces and greets a controller meanwhile with what is confirmed so far, and sends
  // `agent.capabilities` once the probe is done.
  const probe = o.capabilities ?? startCapabilityProbe({ blenderPath: o.blenderPath, blenderPaths: o.blenderPaths, blenderDirs: o.blenderDirs, allowScripts: o.allowScripts, ffmpegPath: o.ffmpegPath, allowNoop: o.allowNoop ?? false, versionCache: versionCacheFile(o.dataDir), ...deviceProbeOptions(o), ...(o.taskTypes ? { tools: toolsFor(o.taskTypes) } : {}) });
  const capabilities = o.taskTypes ? () => onlyTaskTypes(probe.current(), o.taskTypes!) : () => probe.current();
  const initiallyChecking = (capabilities().checking?.length ?? 0) > 0;

  const cache = new InputCache(o.dataDir, await cacheLimitBytes(o.cacheLimit ?? DEFAULT_CACHE_LIMIT, o.dataDir));
  const hold = new OutputHold(o.dataDir);
  const workspaces = new JobWorkspaces(join(o.dataDir, 'workspaces'), o.workspaceIdleMs);
  cache.keepLive(() => workspaces.liveHashes());
  await Promise.all([cache.init(), hold.init(), workspaces.init()]);
  const workRoot = join(o.dataDir, 'work');
  await mkdir(workRoot, { recursive: true });

  const lists = new JobWorkspaceLists();
  let server: AgentServer;
  const executor = new TaskExecutor({ cache, hold, workspaces, lists, workRoot, scratchHome, capabilities, renderSetup: () => probe.renderSetup?.() ?? CPU_ONLY, cpuThreads: o.cpuThreads, send: (m) => server.send(m), sendFile: (path, ref, task) => server.sendFile(path, ref, task), log });
  server = new AgentServer({
    farmKey: o.farmKey,
    agentId,
    cache,
    hold,
    executor,
    workspaces,
    lists,
    log,
    hello: () => ({
      type: 'agent.hello',
      agentId,
      name,
      hostname: hostname(),
      slots,
      tags: withAutomaticTags(o.tags ?? [], capabilities()),
      capabilities: capabilities(),
      running: executor.runningList(),
      held: hold.list(),
    }),
  });
  const host = o.host ?? '0.0.0.0';
  const port = await server.listen(host, o.port ?? DEFAULT_AGENT_PORT);

  // mDNS code loads only for an agent that announces itself (not the embedded local agent).
  const announcer = o.mdns === false ? null : await (await import('./mdns-announcer.js')).startAnnouncer({
    name: `${name}-${agentId.slice(0, 8)}`,
    port,
    interfaceAddress: o.mdns?.interfaceAddress,
    txt: {
      [TXT_KEYS.agentId]: agentId,
      [TXT_KEYS.protocolVersion]: String(PROTOCOL_VERSION),
      [TXT_KEYS.hostname]: hostname(),
      [TXT_KEYS.slots]: String(slots),
      // What the agent runs or is still checking: the hello carries the verdict.
      [TXT_KEYS.capabilities]: [...capabilities().taskTypes, ...(capabilities().checking ?? [])].join(','),
      // The GPUs it renders on (`OPTIX:2`), when its Blenders were probed already (a restart: cached).
      ...gpuTxt(probe.renderSetup?.() ?? CPU_ONLY),
    },
  });
  const { warnings, ...probed } = await probe.done.catch(async (error: unknown) => {
    await announcer?.stop();
    await server.close();
    throw error;
  });
  const found = o.taskTypes ? onlyTaskTypes(probed, o.taskTypes) : probed;
  if (initiallyChecking) server.capabilitiesChanged(found);

  const urlHost = host === '0.0.0.0' || host === '::' ? '127.0.0.1' : host;
  return {
    agentId,
    name,
    port,
    url: `wss://${urlHost}:${port}`,
    capabilities: found,
    warnings,
    handoff: createLocalHandoff(agentId, cache, hold),
    async close() {
      executor.cancelAll();
      await announcer?.stop();
      await server.close();
      await workspaces.close();
    },
  };
}

/** The options of the GPU probe: a caller's probe (the CLI's) was given them itself. */
function deviceProbeOptions(o: AgentOptions & { dataDir: string }): Pick<ProbeOptions, 'renderDevice' | 'gpus' | 'reprobe' | 'deviceCache'> {
  return { renderDevice: o.renderDevice, gpus: o.gpus, reprobe: o.reprobe, deviceCache: deviceCacheFile(o.dataDir) };
}

const CPU_ONLY: RenderDeviceSetup = { renderDevice: 'cpu', deviceIds: [] };

function gpuTxt(setup: RenderDeviceSetup): Record<string, string> {
  const summary = deviceSummary(setup);
  return summary === null ? {} : { [TXT_KEYS.gpu]: summary };
}

/** The capabilities with task types outside `allowed` removed (what the agent then neither runs nor announces). */
function onlyTaskTypes(c: Capabilities, allowed: readonly string[]): Capabilities {
  return {
    ...c,
    taskTypes: c.taskTypes.filter((t) => allowed.includes(t)),
    ...(c.checking ? { checking: c.checking.filter((t) => allowed.includes(t)) } : {}),
  };
}

/** The tools the given task types need. */
function toolsFor(taskTypes: readonly string[]): ('blender' | 'ffmpeg')[] {
  return [
    ...(taskTypes.includes('blender') ? ['blender' as const] : []),
    ...(taskTypes.some((t) => (FFMPEG_TASK_TYPES as readonly string[]).includes(t)) ? ['ffmpeg' as const] : []),
  ];
}
