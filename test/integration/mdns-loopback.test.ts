import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { describe, test } from 'node:test';
import type { Service } from 'bonjour-service';
import { parseService, startBrowser, type AgentBrowser, type DiscoveredAgent } from '../../electron/controller/discovery/mdns-browser.js';
import { startAnnouncer, type Announcer } from '../../node-agent/mdns-announcer.js';
import { PROTOCOL_VERSION, TXT_KEYS } from '../../node-agent/protocol/index.js';

// Announcer and browser in one process, both on loopback only: nothing leaves this machine.
// Other programs may announce on loopback at the same time, so every check looks only at
// the agent ids this test made up.
const LOOPBACK = '127.0.0.1';

interface Seen {
  kind: 'up' | 'down';
  at: number;
  agent: DiscoveredAgent;
}

function watch(): { events: Seen[]; browser: AgentBrowser } {
  const events: Seen[] = [];
  const browser = startBrowser({
    interfaceAddress: LOOPBACK,
    onUp: (agent) => events.push({ kind: 'up', at: Date.now(), agent }),
    onDown: (agent) => events.push({ kind: 'down', at: Date.now(), agent }),
  });
  return { events, browser };
}

async function waitFor<T>(what: string, timeoutMs: number, find: () => T | undefined): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (let i = 0; i < 10_000 && Date.now() < deadline; i++) {
    const found = find();
    if (found !== undefined) return found;
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
  throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
}

function agentTxt(agentId: string, extra: Record<string, string> = {}): Record<string, string> {
  return {
    [TXT_KEYS.agentId]: agentId,
    [TXT_KEYS.protocolVersion]: String(PROTOCOL_VERSION),
    [TXT_KEYS.hostname]: 'render-07',
    [TXT_KEYS.slots]: '2',
    [TXT_KEYS.capabilities]: 'blender,ffmpeg',
    ...extra,
  };
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('mDNS discovery on loopback', { timeout: 20_000 }, () => {
  test('an agent that announces is found with its TXT, once, and goes down when it stops', async () => {
    const { events, browser } = watch();
    const announcers: Announcer[] = [];
    try {
      const agentId = randomUUID();
      await sleep(100); // the browser's socket is open before the first announcement
      const startedAt = Date.now();
      announcers.push(await startAnnouncer({ name: `loop-${agentId.slice(0, 8)}`, port: 47411, txt: agentTxt(agentId), interfaceAddress: LOOPBACK }));
      const up = await waitFor('up', 2000, () => events.find((e) => e.kind === 'up' && e.agent.agentId === agentId));
      console.log(`loopback discovery latency (announce start → up): ${up.at - startedAt} ms`);
      assert.deepEqual(up.agent, {
        serviceName: `loop-${agentId.slice(0, 8)}`,
        agentId,
        host: up.agent.host,
        address: LOOPBACK,
        port: 47411,
        protocolVersion: PROTOCOL_VERSION,
        slots: 2,
        hostname: 'render-07',
        capabilities: ['blender', 'ffmpeg'],
      });
      assert.ok(browser.list().some((a) => a.agentId === agentId));

      await sleep(1300); // past the browser's first re-query: answered again, reported once
      assert.equal(events.filter((e) => e.agent.agentId === agentId).length, 1);

      const stoppedAt = Date.now();
      await announcers.pop()!.stop();
      const down = await waitFor('down', 2000, () => events.find((e) => e.kind === 'down' && e.agent.agentId === agentId));
      console.log(`loopback goodbye latency (stop → down): ${down.at - stoppedAt} ms`);
      assert.ok(!browser.list().some((a) => a.agentId === agentId));
    } finally {
      await Promise.all(announcers.map((a) => a.stop()));
      await browser.stop();
    }
  });

  test('a browser started after the announcement finds the agent at once', async () => {
    const agentId = randomUUID();
    const announcer = await startAnnouncer({ name: `late-${agentId.slice(0, 8)}`, port: 47412, txt: agentTxt(agentId), interfaceAddress: LOOPBACK });
    let watched: ReturnType<typeof watch> | undefined;
    try {
      await sleep(200);
      const startedAt = Date.now();
      watched = watch();
      const { events } = watched;
      const up = await waitFor('up', 2000, () => events.find((e) => e.kind === 'up' && e.agent.agentId === agentId));
      console.log(`loopback discovery latency (browser start → up, agent already announced): ${up.at - startedAt} ms`);
      assert.equal(up.agent.port, 47412);
    } finally {
      await announcer.stop();
      await watched?.browser.stop();
    }
  });

  test('announcements with missing or malformed TXT are ignored; an empty capability list is kept', async () => {
    const { events, browser } = watch();
    const announcers: Announcer[] = [];
    const badIds: string[] = [];
    try {
      await sleep(100);
      const overrides: Record<string, string>[] = [
        { [TXT_KEYS.protocolVersion]: '1', [TXT_KEYS.hostname]: 'h', [TXT_KEYS.slots]: '1' }, // no id at all
        { [TXT_KEYS.protocolVersion]: 'one' },
        { [TXT_KEYS.slots]: '0' },
        { [TXT_KEYS.slots]: '-1' },
        { [TXT_KEYS.hostname]: '' },
      ];
      const bad = overrides.map((override, i) => {
        const id = randomUUID();
        badIds.push(id);
        return i === 0 ? override : agentTxt(id, override);
      });
      for (const [i, txt] of bad.entries()) {
        announcers.push(await startAnnouncer({ name: `bad${i}-${badIds[i].slice(0, 8)}`, port: 47420 + i, txt, interfaceAddress: LOOPBACK }));
      }
      const goodId = randomUUID();
      announcers.push(await startAnnouncer({ name: `good-${goodId.slice(0, 8)}`, port: 47430, txt: agentTxt(goodId, { [TXT_KEYS.capabilities]: '' }), interfaceAddress: LOOPBACK }));
      const up = await waitFor('the good agent', 2000, () => events.find((e) => e.agent.agentId === goodId));
      assert.deepEqual(up.agent.capabilities, []);
      await sleep(300);
      assert.deepEqual(events.filter((e) => badIds.includes(e.agent.agentId)), []);
      assert.ok(!events.some((e) => e.agent.serviceName.startsWith('bad0-')));
    } finally {
      await Promise.all(announcers.map((a) => a.stop()));
      await browser.stop();
    }
  });

  test('one agent id under two service names is one agent: down only when the last name goes', async () => {
    const { events, browser } = watch();
    const agentId = randomUUID();
    const announcers: Announcer[] = [];
    try {
      await sleep(100);
      const mine = () => events.filter((e) => e.agent.agentId === agentId);
      announcers.push(await startAnnouncer({ name: `twin-a-${agentId.slice(0, 8)}`, port: 47440, txt: agentTxt(agentId), interfaceAddress: LOOPBACK }));
      await waitFor('first name', 2000, () => mine().find((e) => e.agent.serviceName.startsWith('twin-a-')));
      announcers.push(await startAnnouncer({ name: `twin-b-${agentId.slice(0, 8)}`, port: 47441, txt: agentTxt(agentId), interfaceAddress: LOOPBACK }));
      await waitFor('second name', 2000, () => mine().find((e) => e.agent.serviceName.startsWith('twin-b-')));
      assert.equal(browser.list().filter((a) => a.agentId === agentId).length, 1);
      assert.equal(browser.list().find((a) => a.agentId === agentId)?.port, 47441);

      await announcers.pop()!.stop(); // twin-b goes: back to twin-a, still up
      const back = await waitFor('back to the first name', 2000, () => mine().slice(2).find((e) => e.kind === 'up'));
      assert.equal(back.agent.port, 47440);
      assert.equal(mine().filter((e) => e.kind === 'down').length, 0);

      await announcers.pop()!.stop();
      await waitFor('down', 2000, () => mine().find((e) => e.kind === 'down'));
      assert.deepEqual(mine().map((e) => `${e.kind} ${e.agent.port}`), ['up 47440', 'up 47441', 'up 47440', 'down 47440']);
    } finally {
      await Promise.all(announcers.map((a) => a.stop()));
      await browser.stop();
    }
  });

  test('an address that is not on this machine is refused with a clear error', async () => {
    await assert.rejects(
      startAnnouncer({ name: 'nowhere', port: 1, txt: {}, interfaceAddress: '192.0.2.1' }),
      /no network interface has that address/,
    );
    assert.throws(() => startBrowser({ interfaceAddress: '192.0.2.1', onUp: () => undefined }), /no network interface has that address/);
  });
});

describe('parseService', () => {
  const id = '0123abcd-0000-4000-8000-0123456789ab';
  const service = (over: Record<string, unknown>) => ({
    name: 'box-0123abcd',
    fqdn: 'box-0123abcd._farmhand._tcp.local',
    host: 'box',
    port: 7420,
    referer: { address: '10.0.0.5', family: 'IPv4', port: 5353, size: 100 },
    addresses: ['fe80::1', '192.168.1.9'],
    rawTxt: ['id=' + id, 'pv=1', 'host=box', 'slots=4', 'caps=blender'].map((s) => Buffer.from(s)),
    ...over,
  }) as unknown as Service;

  test('reads the raw TXT: first duplicate wins, keys ignore case, values may contain "="', () => {
    const agent = parseService(service({ rawTxt: ['ID=' + id, 'id=other-agent-id', 'pv=1', 'host=a=b', 'slots=4'].map((s) => Buffer.from(s)) }));
    assert.equal(agent?.agentId, id);
    assert.equal(agent?.hostname, 'a=b');
    assert.deepEqual(agent?.capabilities, []);
  });

  test('prefers the address the announcement came from, else an IPv4 A record', () => {
    assert.equal(parseService(service({}))?.address, '10.0.0.5');
    assert.equal(parseService(service({ referer: undefined }))?.address, '192.168.1.9');
    assert.equal(parseService(service({ referer: undefined, addresses: ['fe80::1'] })), null);
  });

  test('caps the sizes it accepts', () => {
    const many = Array.from({ length: 33 }, (_, i) => Buffer.from(`k${i}=v`));
    assert.equal(parseService(service({ rawTxt: many })), null);
    assert.equal(parseService(service({ rawTxt: [Buffer.alloc(300, 'a')] })), null);
    const caps = Array.from({ length: 40 }, (_, i) => `c${i}`).join(',') + ',bad cap,' + 'x'.repeat(40);
    const agent = parseService(service({ rawTxt: ['id=' + id, 'pv=1', 'host=box', 'slots=4', `caps=${caps}`].map((s) => Buffer.from(s)) }));
    assert.equal(agent?.capabilities.length, 32);
    assert.ok(!agent?.capabilities.includes('bad cap'));
    assert.equal(parseService(service({ port: 0 })), null);
    assert.equal(parseService(service({ rawTxt: ['id=short', 'pv=1', 'host=box', 'slots=4'].map((s) => Buffer.from(s)) })), null);
  });
});
