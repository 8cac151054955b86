import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FORGET_AFTER_DAYS, hintsWithin, KNOWN_AGENTS_FILE, KnownAgentsMemory, MAX_KNOWN_AGENTS, readKnownAgents } from './known-agents.js';

const DAY = 86_400_000;
const id = (n: number) => `agent-${String(n).padStart(4, '0')}`;

async function tempHome(t: { after(fn: () => Promise<void>): void }): Promise<string> {
  const home = await mkdtemp(join(tmpdir(), 'farmhand-known-agents-'));
  t.after(() => rm(home, { recursive: true, force: true }));
  return home;
}

test('the memory keeps the newest MAX_KNOWN_AGENTS agents and ages out the stale ones', async (t) => {
  const home = await tempHome(t);
  const now = Date.now();
  const stale = { agentId: id(9999), url: 'wss://10.0.0.99:7420', lastSeen: now - (FORGET_AFTER_DAYS + 1) * DAY };
  await writeFile(join(home, KNOWN_AGENTS_FILE), JSON.stringify({ version: 1, agents: [stale] }));
  const memory = new KnownAgentsMemory(home);
  for (let n = 0; n < MAX_KNOWN_AGENTS + 40; n++) memory.seen(id(n), `wss://10.0.${n >> 8}.${n & 255}:7420`, now - (MAX_KNOWN_AGENTS + 40 - n) * 1000);
  await memory.flush();
  const known = await readKnownAgents(home);
  assert.equal(known.length, MAX_KNOWN_AGENTS);
  assert.equal(known[0]!.agentId, id(MAX_KNOWN_AGENTS + 39), 'newest first');
  assert.ok(!known.some((a) => a.agentId === id(0)), 'the least recently seen went first');
  assert.ok(!known.some((a) => a.agentId === stale.agentId), 'an agent not seen for 30 days is forgotten');
  const text = await readFile(join(home, KNOWN_AGENTS_FILE), 'utf8');
  assert.ok(text.length < 40_000, `the file stays small: ${text.length} characters`);
  assert.deepEqual((await readdir(home)).filter((f) => f.endsWith('.tmp') || f.endsWith('.lock')), [], 'no temp or lock file is left behind');
});

test('an agent that moved keeps only its new address; an address answered by a new agent id keeps only the new id', async (t) => {
  const home = await tempHome(t);
  const memory = new KnownAgentsMemory(home);
  memory.seen('agent-aaaa', 'wss://10.0.0.5:7420', 1000);
  memory.seen('agent-bbbb', 'wss://10.0.0.6:7420', 1000);
  await memory.flush();
  memory.seen('agent-aaaa', '10.0.0.7:7420', Date.now()); // moved (and written without the scheme)
  memory.seen('agent-cccc', 'wss://10.0.0.6:7420', Date.now()); // reinstalled at the same address: a new id
  await memory.flush();
  const known = await readKnownAgents(home, Date.now());
  assert.deepEqual(known.map((a) => `${a.agentId} ${a.url}`).sort(), ['agent-aaaa wss://10.0.0.7:7420', 'agent-cccc wss://10.0.0.6:7420']);
});

test('two controllers sharing a home merge what each saw instead of overwriting it', async (t) => {
  const home = await tempHome(t);
  const a = new KnownAgentsMemory(home);
  const b = new KnownAgentsMemory(home);
  a.seen('agent-aaaa', 'wss://127.0.0.1:7001');
  b.seen('agent-bbbb', 'wss://127.0.0.1:7002');
  await Promise.all([a.flush(), b.flush()]);
  a.seen('agent-cccc', 'wss://127.0.0.1:7003');
  await a.flush();
  assert.deepEqual((await readKnownAgents(home)).map((k) => k.agentId).sort(), ['agent-aaaa', 'agent-bbbb', 'agent-cccc']);
});

test('a removed agent is forgotten, the others kept', async (t) => {
  const home = await tempHome(t);
  const memory = new KnownAgentsMemory(home);
  memory.seen('agent-keep', 'wss://10.0.0.5:7420');
  memory.seen('agent-gone', 'wss://10.0.0.6:7420');
  await memory.flush();
  await memory.forget('agent-gone');
  assert.deepEqual((await readKnownAgents(home)).map((a) => a.agentId), ['agent-keep']);
});

test('a malformed file or malformed entries are an empty memory, never an error', async (t) => {
  const home = await tempHome(t);
  await writeFile(join(home, KNOWN_AGENTS_FILE), '{ not json');
  assert.deepEqual(await readKnownAgents(home), []);
  const good = { agentId: 'agent-good', url: 'wss://10.0.0.5:7420', lastSeen: Date.now() };
  await writeFile(join(home, KNOWN_AGENTS_FILE), JSON.stringify({ agents: [good, { agentId: 'x', url: 'wss://10.0.0.6:7420', lastSeen: 1 }, { agentId: 'agent-badurl', url: 'http://nope', lastSeen: Date.now() }, null, 7] }));
  assert.deepEqual(await readKnownAgents(home), [good]);
});

test('discovery bound to loopback tries only remembered loopback addresses', () => {
  const agents = [
    { agentId: 'agent-loop', url: 'wss://127.0.0.1:7420', lastSeen: 1 },
    { agentId: 'agent-lan1', url: 'wss://192.168.1.20:7420', lastSeen: 1 },
  ];
  assert.deepEqual(hintsWithin(agents, '127.0.0.1').map((a) => a.agentId), ['agent-loop']);
  assert.deepEqual(hintsWithin(agents, '192.168.1.5').map((a) => a.agentId), ['agent-loop', 'agent-lan1']);
});
