import assert from 'node:assert/strict';
import type { ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { createInterface } from 'node:readline';
import { after, before, describe, test } from 'node:test';
import { PROTOCOL_VERSION, TXT_KEYS } from '../../node-agent/protocol/index.js';
import { cleanupLeftovers, createLan, listNamespaces, netnsAvailable, type Lan } from './netns.js';

// mDNS between real "machines": an announcer process in one namespace, a browser process in
// another, multicast over a bridge. Every process is told which interface to use; nothing
// here can reach the machine's real network (the namespaces have no route off the bridge).

const root = fileURLToPath(new URL('../..', import.meta.url));
const ANNOUNCE = fileURLToPath(new URL('./fixtures/announce.ts', import.meta.url));
const BROWSE = fileURLToPath(new URL('./fixtures/browse.ts', import.meta.url));
const available = await netnsAvailable();
const prefix = `fhd${process.pid}`;
const STARTUP_MS = 15_000; // node + tsx start, generous for a loaded CI machine

interface Line {
  event: string;
  t: number;
  agent?: { agentId: string; host: string; address: string; port: number; serviceName: string; protocolVersion: number; slots: number; hostname: string; capabilities: string[] };
}

/** A fixture process and the JSON lines it has printed so far. */
class Fixture {
  readonly lines: Line[] = [];
  stderr = '';
  constructor(readonly child: ChildProcess) {
    createInterface({ input: child.stdout! }).on('line', (text) => {
      try {
        this.lines.push(JSON.parse(text) as Line);
      } catch {
        this.stderr += `(not JSON) ${text}\n`;
      }
    });
    child.stderr!.on('data', (d: Buffer) => {
      if (this.stderr.length < 64 * 1024) this.stderr += d.toString();
    });
  }

  async waitFor(what: string, timeoutMs: number, match: (line: Line) => boolean): Promise<Line> {
    const deadline = Date.now() + timeoutMs;
    for (let i = 0; i < 100_000 && Date.now() < deadline; i++) {
      const found = this.lines.find(match);
      if (found) return found;
      if (this.child.exitCode !== null) break;
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
    throw new Error(`timed out waiting for ${what}; stderr: ${this.stderr.trim() || '(none)'}`);
  }

  stop(): void {
    this.child.stdin?.write('stop\n');
  }
}

function txtFor(agentId: string): Record<string, string> {
  return {
    [TXT_KEYS.agentId]: agentId,
    [TXT_KEYS.protocolVersion]: String(PROTOCOL_VERSION),
    [TXT_KEYS.hostname]: 'render-node-1',
    [TXT_KEYS.slots]: '3',
    [TXT_KEYS.capabilities]: 'blender,ffmpeg,noop',
  };
}

describe('mDNS discovery between namespaces', { timeout: 90_000 }, () => {
  test('network namespaces are available (root and iproute2)', () => {
    if (!available) throw new Error('the LAN tests need root and `ip netns` (apt-get install -y iproute2, run as root)');
  });

  let lan: Lan;
  const stdio = ['pipe', 'pipe', 'pipe'] as const;
  const browse = (host: number, iface = lan.hosts[host].address) =>
    new Fixture(lan.spawn(host, process.execPath, ['--import', 'tsx', BROWSE, '--interface', iface, '--max-ms', '60000'], { cwd: root, stdio: [...stdio] }));
  const announce = (host: number, name: string, agentId: string, port: number, iface = lan.hosts[host].address, env = process.env) =>
    new Fixture(lan.spawn(host, process.execPath, ['--import', 'tsx', ANNOUNCE, '--interface', iface, '--name', name, '--port', String(port), '--txt', JSON.stringify(txtFor(agentId)), '--max-ms', '60000'], { cwd: root, env, stdio: [...stdio] }));
  const upOf = (agentId: string, address?: string) => (l: Line) => l.event === 'up' && l.agent?.agentId === agentId && (address === undefined || l.agent.address === address);

  before(async () => {
    await cleanupLeftovers(prefix);
    lan = await createLan({ hosts: 3, prefix });
  });
  after(async () => {
    await lan?.destroy();
  });

  test('an agent in h1 is seen from h0 at its address, with its port and TXT, within 2 s; stopping it sends a down', async () => {
    const browser = browse(0);
    await browser.waitFor('browser ready', STARTUP_MS, (l) => l.event === 'ready');
    const agentId = randomUUID();
    const agent = announce(1, `render-node-1-${agentId.slice(0, 8)}`, agentId, 7420);
    const starting = await agent.waitFor('announcer starting', STARTUP_MS, (l) => l.event === 'starting');
    const up = await browser.waitFor('up', STARTUP_MS, upOf(agentId));
    const latency = up.t - starting.t;
    console.log(`namespace discovery latency (announce start in h1 → up in h0): ${latency} ms`);
    assert.ok(latency <= 2000, `discovered after ${latency} ms`);
    assert.deepEqual(up.agent, {
      serviceName: `render-node-1-${agentId.slice(0, 8)}`,
      agentId,
      host: up.agent!.host,
      address: lan.hosts[1].address,
      port: 7420,
      protocolVersion: PROTOCOL_VERSION,
      slots: 3,
      hostname: 'render-node-1',
      capabilities: ['blender', 'ffmpeg', 'noop'],
    });

    const stopAt = Date.now();
    agent.stop();
    const down = await browser.waitFor('down', 2000, (l) => l.event === 'down' && l.agent?.agentId === agentId);
    console.log(`namespace goodbye latency (stop requested → down in h0): ${down.t - stopAt} ms`);
    await agent.waitFor('announcer stopped', 3000, (l) => l.event === 'stopped');
    browser.stop();
    await browser.waitFor('browser stopped', 3000, (l) => l.event === 'stopped');
  });

  test('a browser started after the announcement finds the agent without waiting for a re-announcement', async () => {
    const agentId = randomUUID();
    const agent = announce(1, `late-${agentId.slice(0, 8)}`, agentId, 7421);
    await agent.waitFor('published', STARTUP_MS, (l) => l.event === 'published');
    const browser = browse(2);
    const starting = await browser.waitFor('browser starting', STARTUP_MS, (l) => l.event === 'starting');
    const up = await browser.waitFor('up', 2000, upOf(agentId, lan.hosts[1].address));
    console.log(`namespace discovery latency (browser start in h2 → up, agent already announced): ${up.t - starting.t} ms`);
    agent.stop();
    browser.stop();
    await agent.waitFor('announcer stopped', 3000, (l) => l.event === 'stopped');
  });

  test('an agent killed without a goodbye and restarted on another host under the same name is followed there', async () => {
    const browser = browse(0);
    await browser.waitFor('browser ready', STARTUP_MS, (l) => l.event === 'ready');
    const agentId = randomUUID();
    const name = `moving-${agentId.slice(0, 8)}`;
    const first = announce(1, name, agentId, 7422);
    await browser.waitFor('up from h1', STARTUP_MS, upOf(agentId, lan.hosts[1].address));
    process.kill(-first.child.pid!, 'SIGKILL'); // no goodbye: browsers keep the old record
    const second = announce(2, name, agentId, 7422);
    const restarted = await second.waitFor('announcer starting on h2', STARTUP_MS, (l) => l.event === 'starting');
    const moved = await browser.waitFor('up from h2', 10_000, upOf(agentId, lan.hosts[2].address));
    console.log(`agent move noticed ${moved.t - restarted.t} ms after it started announcing on h2`);
    assert.equal(browser.lines.filter((l) => l.event === 'down' && l.agent?.agentId === agentId).length, 0);
    second.stop();
    await browser.waitFor('down', 3000, (l) => l.event === 'down' && l.agent?.agentId === agentId);
    browser.stop();
  });

  test('a host cut off the LAN is not discovered; once reconnected it is', async () => {
    const browser = browse(0);
    await browser.waitFor('browser ready', STARTUP_MS, (l) => l.event === 'ready');
    await lan.netem(1, 'loss 100%');
    const agentId = randomUUID();
    const agent = announce(1, `cut-${agentId.slice(0, 8)}`, agentId, 7423);
    try {
      await agent.waitFor('published', STARTUP_MS, (l) => l.event === 'published');
      await new Promise((resolve) => setTimeout(resolve, 1500));
      assert.equal(browser.lines.some(upOf(agentId)), false);
    } finally {
      await lan.netem(1, 'clear');
    }
    const clearedAt = Date.now();
    const up = await browser.waitFor('up after reconnect', 10_000, upOf(agentId, lan.hosts[1].address));
    console.log(`found ${up.t - clearedAt} ms after the link came back (browser re-query or agent re-announcement)`);
    agent.stop();
    browser.stop();
  });

  test('mDNS bound to loopback inside a host is heard on that host only, never on the LAN; so is a test that names no interface', async () => {
    const pinned: string = randomUUID();
    const unpinned: string = randomUUID();
    const lanBrowser = browse(1);
    const localBrowser = browse(0, '127.0.0.1');
    await lanBrowser.waitFor('LAN browser ready', STARTUP_MS, (l) => l.event === 'ready');
    await localBrowser.waitFor('loopback browser ready', STARTUP_MS, (l) => l.event === 'ready');
    // Inside h0 a mistake could only reach the bridge, where h1 listens.
    const { FARMHAND_MDNS_INTERFACE: _ignored, ...env } = process.env;
    const agents = [
      announce(0, `local-${pinned.slice(0, 8)}`, pinned, 7424, '127.0.0.1'),
      announce(0, `unpinned-${unpinned.slice(0, 8)}`, unpinned, 7425, 'unset', { ...env, FARMHAND_TEST: '1' }),
    ];
    for (const id of [pinned, unpinned]) {
      const up = await localBrowser.waitFor(`up on loopback of ${id}`, STARTUP_MS, upOf(id));
      assert.equal(up.agent!.address, '127.0.0.1');
    }
    await new Promise((resolve) => setTimeout(resolve, 1500)); // past the LAN browser's first re-query
    assert.deepEqual(lanBrowser.lines.filter((l) => l.agent && [pinned, unpinned].includes(l.agent.agentId)), [], 'a loopback announcement reached the LAN');
    for (const agent of agents) agent.stop();
    lanBrowser.stop();
    localBrowser.stop();
  });

  test('leaves no namespace with its prefix behind', async () => {
    await lan.destroy();
    assert.deepEqual((await listNamespaces()).filter((n) => n.startsWith(`${prefix}-`)), []);
  });
});
