import { mkdir } from 'node:fs/promises';
import { createAgent, type Agent, type AgentOptions } from '../../node-agent/create-agent.js';
import { createController, type Controller, type ControllerOptions } from '../../electron/controller/create-controller.js';
import { childEnv, waitFor } from './scratch.js';
import { cliCommand, freePort, prepareCli, startChild, waitForPort, type Child } from './processes.js';

/**
 * Loopback farms for the benchmarks: agents either in this process (createAgent) or as their
 * own processes (the `farmhand-agent` CLI), and a controller in this process. Agents listen on
 * 127.0.0.1 with mDNS off; the controller does not browse. Nothing leaves loopback.
 */

export interface AgentProcess {
  url: string;
  port: number;
  child: Child;
  stop(): Promise<void>;
}

/** Starts `farmhand-agent --allow-noop --no-mdns --host 127.0.0.1 --port <free>` and waits until it listens. */
export async function spawnAgent(o: { farmKey: string; dataDir: string; home: string; slots?: number; extraArgs?: string[] }): Promise<AgentProcess> {
  await mkdir(o.dataDir, { recursive: true });
  await prepareCli();
  const cli = cliCommand('farmhand-agent');
  for (let attempt = 1; ; attempt++) {
    const port = await freePort();
    const child = startChild(cli.command, [
      ...cli.args,
      '--allow-noop', '--no-mdns', '--quiet',
      '--host', '127.0.0.1', '--port', String(port),
      '--farm-key', o.farmKey,
      '--data-dir', o.dataDir,
      '--slots', String(o.slots ?? 1),
      ...(o.extraArgs ?? []),
    ], { env: childEnv(o.home) });
    try {
      await waitForPort(port, child, 20_000);
      return { url: `wss://127.0.0.1:${port}`, port, child, stop: () => child.stop() };
    } catch (error) {
      await child.stop();
      // The port may have been taken between freePort() and the agent's listen: try another.
      if (attempt >= 3 || !/already in use/.test(child.output())) throw error;
    }
  }
}

export async function startInProcessAgent(o: Partial<AgentOptions> & { farmKey: string; dataDir: string }): Promise<Agent> {
  return createAgent({ host: '127.0.0.1', port: 0, mdns: false, allowNoop: true, ...o });
}

export async function startBenchController(o: { home: string; farmKey: string; agentUrls: string[]; persist: boolean } & Partial<ControllerOptions>): Promise<Controller> {
  return createController({ controllerId: 'bench-controller', discovery: false, ...o });
}

export function onlineCount(controller: Controller): number {
  return controller.agents().filter((a) => a.online).length;
}

export async function waitOnline(controller: Controller, count: number, timeoutMs = 20_000): Promise<void> {
  await waitFor(() => onlineCount(controller) >= count, `${count} agent(s) online`, timeoutMs, 10);
}
