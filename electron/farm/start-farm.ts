import { join } from 'node:path';
import { createAgent, type Agent } from '../../node-agent/create-agent.js';
import { parseFarmKey } from '../../node-agent/protocol/index.js';
import { createController, type Controller } from '../controller/create-controller.js';
import { loadOrCreateControllerId, loadOrCreateFarmKey } from '../controller/farm-home.js';
import { silentLogger, type FarmLogger } from './farm-logger.js';
import { ableCapacity, type AbleCapacity } from '../controller/agents/able-capacity.js';

/**
 * The farm's composition: the farm key, the controller core, and (by default) this machine as
 * a render node through an embedded agent on loopback, so one machine renders with no set-up
 * at all. What every process that runs the farm needs (the one-shot render and transcode, the
 * long-running `farmhand controller`, the desktop app). This folder is the one place that joins
 * the core and the agent's code; the controller itself knows agents only through
 * node-agent/protocol.
 */

export interface FarmOptions {
  home: string;
  farmKey?: string;
  agent: string[];
  discover: boolean;
  mdnsInterface?: string;
  localAgent: boolean;
  /** Task types the local agent runs, of those its tools allow (default: all). */
  localAgentTypes?: string[];
  /** The local agent runs the scene's Python for jobs that trust it (`farmhand render --trust-scripts`: the user's own machine and consent). */
  localAgentAllowsScripts?: boolean;
  blender?: string;
  ffmpeg?: string;
  /** Seconds to wait for an able agent before giving up on a job. */
  agentWait: number;
  /** Where warnings and notices go (default: nowhere). */
  logger?: FarmLogger;
  /** Give unfinished stored jobs back to the scheduler: the service does, a one-shot command does not. */
  resume?: boolean;
}

export interface Farm {
  controller: Controller;
  localAgent: Agent | null;
  options: FarmOptions;
  /**
   * Waits briefly for agents to come online; returns how many online agents run (or are
   * checking their tool for) `taskType`, at least 1: what a plan splits for. Discovery alone
   * needs ~1.5 s; agents remembered from an earlier run (known-agents.ts) are asked at once,
   * so with a memory the wait ends once each has answered or failed (at most KNOWN_GRACE_MS
   * after the first able agent is online); a memory of no agents (a farm of this machine alone)
   * ends it once the local agent is up. Agents mDNS finds later still take the plan's queued
   * tasks, and are planned for from the next start on.
   */
  waitForAgents(taskType: string): Promise<number>;
  /** The online agents that take (or are checking) `taskType`, and their slots: what a job is planned for once waitForAgents is done. */
  ableCapacity(taskType: string): AbleCapacity;
  close(): Promise<void>;
}

const DISCOVERY_SETTLE_MS = 1500;
/** With known agents: how long the first able agent online waits for the other known addresses (a dead one must not hold the start). */
const KNOWN_GRACE_MS = 250;
/** How often the wait checks whether every known address has answered or failed (a failure is no agent event). */
const SETTLE_POLL_MS = 20;
/** Agents given by address that are not online by then are left to come later (the job waits for an able agent). */
const NO_DISCOVERY_WAIT_MS = 3000;

export async function startFarm(o: FarmOptions): Promise<Farm> {
  const farmKey = o.farmKey ? parseFarmKey(o.farmKey, '--farm-key') : process.env.FARMHAND_FARM_KEY ? parseFarmKey(process.env.FARMHAND_FARM_KEY, 'FARMHAND_FARM_KEY') : await loadOrCreateFarmKey(o.home);
  const logger = o.logger ?? silentLogger;
  const localAgent = o.localAgent ? await createAgent({
    farmKey,
    dataDir: join(o.home, 'local-agent'),
    host: '127.0.0.1',
    port: 0,
    name: 'this machine',
    mdns: false,
    blenderPath: o.blender,
    ffmpegPath: o.ffmpeg,
    ...(o.localAgentTypes ? { taskTypes: o.localAgentTypes } : {}),
    ...(o.localAgentAllowsScripts ? { allowScripts: true } : {}),
  }) : null;
  for (const warning of localAgent?.warnings ?? []) logger.warning(warning);
  const interfaceAddress = o.mdnsInterface ?? process.env.FARMHAND_MDNS_INTERFACE;
  const controller = await createController({
    home: o.home,
    farmKey,
    controllerId: await loadOrCreateControllerId(o.home),
    discovery: o.discover ? { interfaceAddress } : false,
    agentUrls: [...o.agent, ...(localAgent ? [localAgent.url] : [])],
    ...(localAgent ? { localAgent: localAgent.handoff } : {}),
    resume: o.resume ?? false,
  });
  for (const problem of controller.storeProblems) logger.warning(problem);

  let closing = false;
  const ableAgents = (taskType: string) => controller.agents().filter((a) => a.online && (a.taskTypes.includes(taskType) || a.checking.includes(taskType)));
  const farm: Farm = {
    controller,
    localAgent,
    options: o,
    waitForAgents(taskType) {
      // Without discovery the expected agents are known: done the moment they are all online.
      // With discovery, agents keep appearing for a while: wait the settle time.
      // With known agents, the wait ends when each known address has answered or failed.
      const expected = o.agent.length + (localAgent ? 1 : 0);
      const knownAgents = o.discover && controller.rememberedAgents !== null;
      const online = () => controller.agents().filter((a) => a.online).length;
      const able = () => ableAgents(taskType).length;
      return new Promise<number>((resolve) => {
        let firstAbleAt: number | null = null;
        const finish = () => {
          clearTimeout(timer);
          clearInterval(poll);
          controller.events.off('agent', onAgent);
          resolve(Math.max(1, able()));
        };
        const onAgent = () => {
          if (!o.discover && online() >= expected) return finish();
          if (!knownAgents || able() === 0) return;
          firstAbleAt ??= performance.now();
          if (controller.pool.unsettled() === 0 || performance.now() - firstAbleAt >= KNOWN_GRACE_MS) finish();
        };
        const timer = setTimeout(finish, o.discover ? DISCOVERY_SETTLE_MS : NO_DISCOVERY_WAIT_MS);
        const poll = setInterval(onAgent, SETTLE_POLL_MS); // ends with finish, by the timer at the latest
        controller.events.on('agent', onAgent);
        onAgent();
      });
    },
    ableCapacity(taskType) {
      return ableCapacity(ableAgents(taskType));
    },
    async close() {
      closing = true; // links closing on the way out are not news
      await controller.close();
      await localAgent?.close();
    },
  };
  controller.events.on('notice', ({ level, text }) => !closing && logger.notice(level, text));
  return farm;
}
