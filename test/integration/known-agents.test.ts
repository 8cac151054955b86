import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createAgent, type Agent } from '../../node-agent/create-agent.js';
import { generateFarmKey } from '../../node-agent/protocol/index.js';
import { KNOWN_AGENTS_FILE, readKnownAgents, readKnownAgentsFile } from '../../electron/controller/agents/known-agents.js';
import { compileNoopJob } from '../../electron/controller/jobs/noop/noop-job.js';
import { startFarm, type Farm } from '../../electron/farm/start-farm.js';
import { freePort } from '../helpers/free-port.js';

/**
 * Remembered agents (known-agents.ts) through the one-shot composition (startFarm): agents on
 * loopback with mDNS off, so a controller can only reach them by address or by memory; the
 * controller's own discovery browses on 127.0.0.1 only. Nothing leaves loopback.
 */

interface Scratch {
  dir: string;
  home: string;
  farmKey: string;
  agent(name: string, port?: number): Promise<Agent>;
  farm(o?: { agent?: string[]; discover?: boolean }): Promise<Farm & { notices: string[] }>;
}

async function scratch(t: { after(fn: () => Promise<void>): void }): Promise<Scratch> {
  const dir = await mkdtemp(join(tmpdir(), 'fh-known-agents-'));
  const farmKey = generateFarmKey();
  const closers: (() => Promise<unknown>)[] = [];
  t.after(async () => {
    for (const close of closers.reverse()) await close().catch(() => undefined);
    await rm(dir, { recursive: true, force: true });
  });
  return {
    dir,
    home: join(dir, 'home'),
    farmKey,
    async agent(name, port = 0) {
      const agent = await createAgent({ farmKey, dataDir: join(dir, name), host: '127.0.0.1', port, mdns: false, allowNoop: true, name });
      closers.push(() => agent.close());
      return agent;
    },
    async farm(o = {}) {
      const notices: string[] = [];
      const farm = await startFarm({
        home: join(dir, 'home'),
        farmKey,
        agent: o.agent ?? [],
        discover: o.discover ?? true,
        mdnsInterface: '127.0.0.1',
        localAgent: false,
        agentWait: 5,
        logger: { warning: (line) => notices.push(line), notice: (_level, line) => notices.push(line) },
      });
      closers.push(() => farm.close());
      return Object.assign(farm, { notices });
    },
  };
}

const onlineIds = (farm: Farm) => farm.controller.agents().filter((a) => a.online).map((a) => a.agentId);

async function until(predicate: () => boolean, what: string, timeoutMs = 10_000): Promise<void> {
  for (const deadline = Date.now() + timeoutMs; !predicate();) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

async function runNoopJob(farm: Farm, outputDir: string): Promise<string[]> {
  const job = compileNoopJob({ count: 2, durationMs: 10, outputDir });
  await farm.controller.admit(job);
  const summary = await farm.controller.waitForJob(job.id);
  assert.equal(summary.state, 'succeeded', summary.failure ?? '');
  return job.tasks.map((task) => task.agentId!);
}

test('a controller restart connects to a remembered agent without mDNS, and --no-discover leaves it alone', async (t) => {
  const s = await scratch(t);
  const agent = await s.agent('agent-a');

  const first = await s.farm({ agent: [agent.url] });
  await until(() => onlineIds(first).includes(agent.agentId), 'the agent online by its address');
  await first.close();
  assert.deepEqual((await readKnownAgents(s.home)).map((a) => `${a.agentId} ${a.url}`), [`${agent.agentId} ${agent.url}`]);

  // No address given and the agent does not announce itself: only the memory can find it.
  const second = await s.farm();
  assert.equal(await second.waitForAgents('noop'), 1);
  assert.deepEqual(onlineIds(second), [agent.agentId]);
  assert.deepEqual(await runNoopJob(second, join(s.dir, 'out-2')), [agent.agentId, agent.agentId]);
  await second.close();

  // Remembered agents are part of discovery: with it off, nothing is dialled but what is given.
  const third = await s.farm({ discover: false });
  assert.deepEqual(third.controller.pool.all().map((link) => link.url), []);
  await third.close();
});

test('a remembered dead address neither holds up nor spams a job on a live agent, and is given up', async (t) => {
  const s = await scratch(t);
  const live = await s.agent('agent-live');
  const deadUrl = `wss://127.0.0.1:${await freePort()}`; // nothing listens there
  await mkdir(s.home, { recursive: true });
  await writeFile(join(s.home, KNOWN_AGENTS_FILE), JSON.stringify({
    version: 1,
    agents: [
      { agentId: 'dead-agent-0001', url: deadUrl, lastSeen: Date.now() },
      { agentId: live.agentId, url: live.url, lastSeen: Date.now() - 60_000 },
    ],
  }));

  const farm = await s.farm();
  // Discovery browses loopback from the start too: an agent another process announces there may be dialled as well (not this test's concern).
  const dialled = farm.controller.pool.all().map((link) => link.url);
  assert.deepEqual(dialled.filter((url) => url === deadUrl || url === live.url).sort(), [deadUrl, live.url].sort(), 'both remembered addresses are dialled at once');
  assert.equal(await farm.waitForAgents('noop'), 1);
  assert.deepEqual(await runNoopJob(farm, join(s.dir, 'out')), [live.agentId, live.agentId]);
  // A few quiet attempts with backoff, then the hint is dropped (mDNS would bring the agent back).
  await until(() => !farm.controller.pool.all().some((link) => link.url === deadUrl), 'the dead address given up');
  assert.deepEqual(farm.notices.filter((line) => line.includes(deadUrl.slice('wss://'.length))), [], 'nothing printed about the dead address');
});

test('discovery that found no agents leaves a memory of none, so the next start knows its farm; a short run leaves none', async (t) => {
  const s = await scratch(t);
  const brief = await s.farm();
  assert.equal(brief.controller.rememberedAgents, null, 'no memory yet: mDNS gets its time');
  await brief.close(); // closed before discovery could have found anything: it proves nothing
  assert.equal(await readKnownAgentsFile(s.home), null);

  const searched = await s.farm();
  await new Promise((resolve) => setTimeout(resolve, 1700)); // discovery browses long enough to have found what answers
  await searched.close();
  assert.deepEqual(await readKnownAgentsFile(s.home), []);
  const next = await s.farm();
  assert.equal(next.controller.rememberedAgents, 0);
  await next.close();
});

test('an address now answered by another agent id is used, and remembered under the new id', async (t) => {
  const s = await scratch(t);
  const port = await freePort();
  const before = await s.agent('agent-before', port);
  const first = await s.farm({ agent: [before.url] });
  await until(() => onlineIds(first).includes(before.agentId), 'the first agent online');
  await first.close();
  await before.close();

  // Reinstalled: the same address, a new data folder, so a new agent id (the farm key still proves it).
  const after = await s.agent('agent-after', port);
  assert.notEqual(after.agentId, before.agentId);
  const second = await s.farm();
  await second.waitForAgents('noop');
  assert.deepEqual(onlineIds(second), [after.agentId]);
  await second.close();
  assert.deepEqual((await readKnownAgents(s.home)).map((a) => `${a.agentId} ${a.url}`), [`${after.agentId} ${after.url}`]);
});

test('remembered agents are dialled while the job store is still loading, and meet the scheduler only once it is open', async (t) => {
  const s = await scratch(t);
  const lines: string[] = [];
  const agent = await createAgent({ farmKey: s.farmKey, dataDir: join(s.dir, 'agent-a'), host: '127.0.0.1', port: 0, mdns: false, allowNoop: true, name: 'agent-a', log: (line) => lines.push(line) });
  t.after(() => agent.close());
  await mkdir(join(s.home, 'store', 'jobs'), { recursive: true });
  await writeFile(join(s.home, KNOWN_AGENTS_FILE), JSON.stringify({ version: 1, agents: [{ agentId: agent.agentId, url: agent.url, lastSeen: Date.now() }] }));
  // The store's index is a named pipe: the store cannot finish loading until this test writes it.
  const index = join(s.home, 'store', 'index.json');
  execFileSync('mkfifo', [index]);
  let indexWritten = false;
  const writeIndex = async () => {
    if (indexWritten) return;
    indexWritten = true;
    await writeFile(index, '[]');
  };
  t.after(writeIndex); // a failed assertion must not leave the start waiting on the pipe
  let started = false;
  const starting = s.farm().then((farm) => {
    started = true;
    return farm;
  });
  starting.catch(() => undefined);
  await until(() => lines.some((line) => line.includes('controller connected')), 'the remembered agent dialled while the store loads');
  await new Promise((resolve) => setTimeout(resolve, 100));
  assert.equal(started, false, 'the controller is not ready (nothing can be submitted or dispatched) before its store is open');
  await writeIndex();
  const farm = await starting;
  assert.equal(await farm.waitForAgents('noop'), 1);
  assert.deepEqual(onlineIds(farm), [agent.agentId], 'the agent that answered while the store loaded is online once it is open');
  assert.deepEqual(await runNoopJob(farm, join(s.dir, 'out')), [agent.agentId, agent.agentId]);
});
