import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { createAgent, type Agent } from '../node-agent/create-agent.js';
import { probeCapabilities } from '../node-agent/capabilities.js';
import { startAnnouncer, type Announcer } from '../node-agent/mdns-announcer.js';
import { generateFarmKey, PROTOCOL_VERSION, TXT_KEYS } from '../node-agent/protocol/index.js';
import type { AgentView } from '../electron/controller/agents/agent-runtime.js';
import { createController } from '../electron/controller/create-controller.js';
import { startBrowser, type DiscoveredAgent } from '../electron/controller/discovery/mdns-browser.js';
import { cliCommand, freePort, prepareCli, startChild, type Child } from './lib/processes.js';
import { row, round, type Row } from './lib/row.js';
import { childEnv, scratchDir, sleep, waitFor } from './lib/scratch.js';
import { max, median } from './lib/stats.js';

/** What this benchmark does, for BENCHMARKS.md. */
export const about =
  'mDNS bound to loopback only (announcer and browser on 127.0.0.1). A controller with discovery on (interface 127.0.0.1) is already browsing; 5 times each: start `farmhand-agent --mdns-interface 127.0.0.1` as a process (the first time with an empty data folder, then 4 restarts with the same one) or call `createAgent({ mdns: { interfaceAddress: \'127.0.0.1\' } })` in the bench process, and time until the controller reports the agent online (found, connected, authenticated, hello). Separately: `startAnnouncer()` → a browser\'s `up` (5 times), and the agent\'s capability probe (`blender --version`, `ffmpeg -version`) that runs before it listens.';

/**
 * Discovery: how long from an agent starting to the controller having it online, with mDNS
 * bound to loopback only (announcer and browser both on 127.0.0.1; every Bonjour instance
 * here has an interface). The controller (discovery on, interface 127.0.0.1) is already
 * browsing; 5 repetitions each of
 *  - `farmhand-agent` started as a process with `--mdns-interface 127.0.0.1` (the headline:
 *    what a user does), and
 *  - `createAgent({ mdns: { interfaceAddress: '127.0.0.1' } })` in this process,
 * each measured until the controller reports the agent online (discovered, connected,
 * authenticated, hello received). Separately: `startAnnouncer` → the browser's `up`, and the
 * agent's capability probe (it runs `blender --version` before the agent listens).
 */

const LOOPBACK = '127.0.0.1';
const REPETITIONS = 5;
const VISIBLE_TIMEOUT_MS = 15_000;

interface Seen {
  at: number;
  agent: DiscoveredAgent;
}

export async function run(): Promise<Row[]> {
  const scratch = await scratchDir('discovery');
  const farmKey = generateFarmKey();
  const cleanups: (() => Promise<unknown>)[] = [];
  try {
    // Our own browser: timestamps `up` for the raw mDNS figure and the breakdown.
    const ups: Seen[] = [];
    const browser = startBrowser({ interfaceAddress: LOOPBACK, onUp: (agent) => ups.push({ at: performance.now(), agent }) });
    cleanups.push(() => browser.stop());

    const controller = await createController({
      home: join(scratch.dir, 'controller'),
      farmKey,
      controllerId: 'bench-discovery',
      discovery: { interfaceAddress: LOOPBACK },
      agentUrls: [],
      persist: false,
    });
    cleanups.push(() => controller.close());
    const onlineAt: { at: number; view: AgentView }[] = [];
    controller.events.on('agent', (view) => view.online && onlineAt.push({ at: performance.now(), view }));
    // When the controller knows the agent runs Blender (a first start checks it after the hello).
    const blenderAt: { at: number; view: AgentView }[] = [];
    controller.events.on('agent', (view) => view.online && view.blender !== null && blenderAt.push({ at: performance.now(), view }));
    await sleep(300); // both browsers' sockets are open before the first announcement

    // ── announcer start → browser 'up' ─────────────────────────────────────
    const announceToUp: number[] = [];
    for (let i = 0; i < REPETITIONS; i++) {
      const agentId = randomUUID();
      const started = performance.now();
      let announcer: Announcer | null = null;
      try {
        announcer = await startAnnouncer({
          name: `bench-${agentId.slice(0, 8)}`,
          port: 40_000 + i,
          interfaceAddress: LOOPBACK,
          txt: {
            [TXT_KEYS.agentId]: agentId,
            [TXT_KEYS.protocolVersion]: String(PROTOCOL_VERSION),
            [TXT_KEYS.hostname]: 'bench',
            [TXT_KEYS.slots]: '1',
            [TXT_KEYS.capabilities]: 'noop',
          },
        });
        await waitFor(() => ups.some((u) => u.agent.agentId === agentId), `browser up for ${agentId}`, 5000, 2);
        announceToUp.push(ups.find((u) => u.agent.agentId === agentId)!.at - started);
      } finally {
        await announcer?.stop();
      }
      await sleep(100);
    }

    // ── agent process start → online in the controller ────────────────────
    await prepareCli();
    const cli = cliCommand('farmhand-agent');
    const processVisible: number[] = [];
    const processUp: number[] = [];
    let firstBlenderConfirmed = Number.NaN;
    for (let i = 0; i < REPETITIONS; i++) {
      const port = await freePort();
      const started = performance.now();
      const child: Child = startChild(cli.command, [
        ...cli.args,
        '--allow-noop', '--quiet',
        '--mdns-interface', LOOPBACK,
        '--host', LOOPBACK, '--port', String(port),
        '--farm-key', farmKey,
        // The first start has an empty data folder (it probes Blender's version); the rest are restarts of the same agent.
        '--data-dir', join(scratch.dir, 'agent-proc'),
      ], { env: childEnv(scratch.home) });
      cleanups.push(() => child.stop());
      try {
        const visible = () => onlineAt.find((o) => o.view.url === `wss://${LOOPBACK}:${port}` && o.at >= started);
        await waitFor(() => visible() !== undefined || child.process.exitCode !== null, `agent process on port ${port} online`, VISIBLE_TIMEOUT_MS, 2);
        if (!visible()) throw new Error(`the agent process exited early:\n${child.output().slice(-2000)}`);
        processVisible.push(visible()!.at - started);
        if (i === 0) {
          const confirmed = () => blenderAt.find((o) => o.view.url === `wss://${LOOPBACK}:${port}` && o.at >= started);
          await waitFor(() => confirmed() !== undefined, `agent process on port ${port} confirmed Blender`, VISIBLE_TIMEOUT_MS, 2);
          firstBlenderConfirmed = confirmed()!.at - started;
        }
        const up = ups.find((u) => u.agent.port === port && u.at >= started);
        if (up) processUp.push(up.at - started);
      } finally {
        await child.stop();
      }
      await sleep(100);
    }

    // ── createAgent() in this process → online ─────────────────────────────
    const inProcessVisible: number[] = [];
    for (let i = 0; i < REPETITIONS; i++) {
      const started = performance.now();
      let agent: Agent | null = null;
      try {
        agent = await createAgent({ farmKey, dataDir: join(scratch.dir, 'agent-in'), host: LOOPBACK, port: 0, allowNoop: true, mdns: { interfaceAddress: LOOPBACK } });
        const id = agent.agentId;
        await waitFor(() => onlineAt.some((o) => o.view.agentId === id && o.at >= started), `in-process agent ${id} online`, VISIBLE_TIMEOUT_MS, 2);
        inProcessVisible.push(onlineAt.find((o) => o.view.agentId === id && o.at >= started)!.at - started);
      } finally {
        await agent?.close();
      }
      await sleep(100);
    }

    // What an agent does before it even announces: probe its tools (blender --version, ffmpeg -version).
    const probeMs: number[] = [];
    for (let i = 0; i < 2; i++) {
      const started = performance.now();
      await probeCapabilities({ allowNoop: true });
      probeMs.push(performance.now() - started);
    }

    const s = (ms: number[]) => round(ms.length ? median(ms) / 1000 : Number.NaN, 3);
    const m = (ms: number[]) => round(ms.length ? max(ms) / 1000 : Number.NaN, 3);
    const list = (ms: number[]) => ms.map((x) => Math.round(x)).join(', ');
    return [
      row({ bench: 'discovery', metric: 'agent process restart → online in controller, median', unit: 's', measured: s(processVisible.slice(1)), goal: { op: '<=', value: 1 }, note: `${REPETITIONS - 1} restarts (ms): ${list(processVisible.slice(1))}; of which process start → browser 'up' median ${Math.round(median(processUp))} ms; agent = ${cli.reason}` }),
      row({ bench: 'discovery', metric: 'agent process restart → online in controller, max', unit: 's', measured: m(processVisible.slice(1)), goal: { op: '<=', value: 1 } }),
      row({ bench: 'discovery', metric: 'agent process first start ever (empty data folder) → online', unit: 's', measured: s(processVisible.slice(0, 1)), goal: { op: '<=', value: 1 }, note: 'online = authenticated and greeted: the hello carries the tools confirmed so far, and Blender, whose `blender --version` (~340 shared libraries: 0.5–0.8 s here) still runs, is marked as being checked; no Blender task goes to it before the check ends' }),
      row({ bench: 'discovery', metric: 'agent process first start ever → Blender confirmed in controller', unit: 's', measured: round(firstBlenderConfirmed / 1000, 3), note: 'the same start, until `agent.capabilities` says Blender runs (what the hello could not yet say); later starts read the cached version and greet with it' }),
      row({ bench: 'discovery', metric: 'createAgent() → online in controller, median', unit: 's', measured: s(inProcessVisible), goal: { op: '<=', value: 1 }, note: `${REPETITIONS} runs (ms): ${list(inProcessVisible)}; the same data folder each time (the first run probes the tools, the rest use the cached versions)` }),
      row({ bench: 'discovery', metric: 'createAgent() → online in controller, max', unit: 's', measured: m(inProcessVisible), goal: { op: '<=', value: 1 } }),
      row({ bench: 'discovery', metric: "startAnnouncer() → browser 'up', median", unit: 's', measured: s(announceToUp), note: `${REPETITIONS} runs (ms): ${list(announceToUp)}; mDNS alone, loopback` }),
      row({ bench: 'discovery', metric: "startAnnouncer() → browser 'up', max", unit: 's', measured: m(announceToUp) }),
      row({ bench: 'discovery', metric: 'agent capability probe (blender/ffmpeg -version), median', unit: 's', measured: s(probeMs), note: `runs (ms): ${list(probeMs)}; in parallel with the agent's start; a controller gets the hello without waiting for it` }),
    ];
  } finally {
    for (const cleanup of cleanups.reverse()) await cleanup().catch(() => undefined);
    await scratch.cleanup();
  }
}
