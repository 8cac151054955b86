import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createAgent, type Agent, type AgentOptions } from '../../node-agent/create-agent.js';
import { generateFarmKey } from '../../node-agent/protocol/index.js';
import { createController, type Controller } from '../../electron/controller/create-controller.js';

/**
 * A farm on loopback for integration tests: real agents (WebSocket servers on 127.0.0.1,
 * no mDNS) and a real controller with its store in a temp folder. Nothing leaves loopback.
 */
export interface LoopbackFarm {
  dir: string;
  farmKey: string;
  agents: Agent[];
  controller: Controller;
  notices: string[];
  startAgent(o?: Partial<AgentOptions>): Promise<Agent>;
  waitFor(predicate: () => boolean, what: string, timeoutMs?: number): Promise<void>;
  close(): Promise<void>;
}

export async function startLoopbackFarm(o: { agents?: Partial<AgentOptions>[]; persist?: boolean; localAgent?: Partial<AgentOptions> } = {}): Promise<LoopbackFarm> {
  const dir = await mkdtemp(join(tmpdir(), 'fh-farm-'));
  const farmKey = generateFarmKey();
  const agents: Agent[] = [];
  let count = 0;
  const startAgent = async (a: Partial<AgentOptions> = {}) => {
    const agent = await createAgent({ farmKey, dataDir: join(dir, `agent-${count++}`), host: '127.0.0.1', port: 0, mdns: false, allowNoop: true, ...a });
    agents.push(agent);
    return agent;
  };
  for (const a of o.agents ?? [{}]) await startAgent(a);
  // Like the CLI's embedded agent: the last of `agents`, its files passed on disk (LocalHandoff).
  const local = o.localAgent ? await startAgent(o.localAgent) : null;
  const controller = await createController({
    home: join(dir, 'controller'),
    farmKey,
    controllerId: 'test-controller',
    discovery: false,
    agentUrls: agents.map((a) => a.url),
    persist: o.persist ?? true,
    ...(local ? { localAgent: local.handoff } : {}),
  });
  const notices: string[] = [];
  controller.events.on('notice', ({ text }) => notices.push(text));
  const waitFor = async (predicate: () => boolean, what: string, timeoutMs = 10_000) => {
    const deadline = Date.now() + timeoutMs;
    while (!predicate()) {
      if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}; notices: ${notices.join(' | ')}`);
      await new Promise((r) => setTimeout(r, 10));
    }
  };
  return {
    dir,
    farmKey,
    agents,
    controller,
    notices,
    startAgent,
    waitFor,
    async close() {
      await controller.close();
      await Promise.all(agents.map((a) => a.close().catch(() => undefined)));
      await rm(dir, { recursive: true, force: true });
    },
  };
}
