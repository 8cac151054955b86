import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { WebSocket } from 'ws';
import { compileNoopJob } from '../../electron/controller/jobs/noop/noop-job.js';
import { createController, type Controller } from '../../electron/controller/create-controller.js';
import { createAgent, type Agent } from '../../node-agent/create-agent.js';
import { generateFarmKey } from '../../node-agent/protocol/index.js';
import { classifyTlsFailure, connectSecure, deriveTlsPsk, listenSecure } from '../../node-agent/channel/index.js';
import { rawConnection } from '../helpers/raw-socket.js';
import { openRawSession } from '../helpers/secure-session.js';
import { startTcpRelay, type TcpRelay } from '../helpers/tcp-relay.js';
import { withTimeout } from '../helpers/with-timeout.js';

// Issue 14: a proxy without the key relayed the HMAC proofs between a real controller and a
// real agent, was accepted by both, and ran its own task on the agent. With the channel inside
// TLS-PSK a relay sees only ciphertext, cannot replay it, cannot change a byte unnoticed, and a
// man in the middle with its own key is refused by both sides with the wrong-key sentence.

const OUTPUT_BYTES = 1024 * 1024 + 123;
const STARTED = /attempt \d+ started/;

interface Farm {
  agent: Agent;
  agentLog: string[];
  controller: Controller;
  notices: string[];
  out: string;
}

describe('a relay or a man in the middle without the key', { timeout: 90_000 }, () => {
  let dir: string;
  const cleanups: (() => Promise<unknown>)[] = [];
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'fh-relay-'));
  });
  after(async () => {
    for (const c of cleanups.reverse()) await c().catch(() => undefined);
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  let count = 0;
  /** A real agent, and a real controller that reaches it only through `agentUrl(agent)`. */
  async function farm(farmKey: string, agentUrl: (agent: Agent) => Promise<string>): Promise<Farm> {
    const n = count++;
    const agentLog: string[] = [];
    const agent = await createAgent({ farmKey, dataDir: join(dir, `agent-${n}`), host: '127.0.0.1', port: 0, mdns: false, allowNoop: true, log: (l) => agentLog.push(l) });
    cleanups.push(() => agent.close());
    const controller = await createController({ home: join(dir, `controller-${n}`), farmKey, controllerId: `relay-test-controller-${n}`, discovery: false, agentUrls: [await agentUrl(agent)], persist: false });
    cleanups.push(() => controller.close());
    const notices: string[] = [];
    controller.events.on('notice', ({ text }) => notices.push(text));
    return { agent, agentLog, controller, notices, out: join(dir, `out-${n}`) };
  }

  /** Every output file in the folder is the agent's: its sha256 is the one the agent reported for it. */
  async function outputsAreTheAgents(f: Farm, jobId: string): Promise<number> {
    const tasks = f.controller.scheduler.job(jobId)!.record.tasks;
    let files = 0;
    for (const task of tasks) {
      for (const ref of task.outputs) {
        const bytes = await readFile(join(f.out, ref.name));
        assert.equal(bytes.length, ref.size, `${ref.name} has the size the agent reported`);
        assert.equal(createHash('sha256').update(bytes).digest('hex'), ref.sha256, `${ref.name} is the agent's file`);
        files++;
      }
    }
    return files;
  }

  test('a transparent relay passes a job through but sees no plaintext, and a replay of what it recorded runs nothing', async () => {
    const farmKey = generateFarmKey();
    let relay!: TcpRelay;
    const f = await farm(farmKey, async (agent) => {
      relay = await startTcpRelay({ targetPort: agent.port });
      cleanups.push(() => relay.close());
      return `wss://127.0.0.1:${relay.port}`;
    });
    const job = compileNoopJob({ count: 3, outputBytes: OUTPUT_BYTES, outputDir: f.out });
    f.controller.submit(job);
    assert.equal((await withTimeout(f.controller.waitForJob(job.id), 30_000, 'the job through the relay')).state, 'succeeded');
    assert.equal(await outputsAreTheAgents(f, job.id), 3);
    assert.equal(f.agentLog.filter((l) => STARTED.test(l)).length, 3);

    // What the relay saw: megabytes of traffic, none of it readable.
    const recorded = relay.recorded();
    assert.ok(recorded.length > 3 * OUTPUT_BYTES, `the relay carried the outputs (${recorded.length} bytes)`);
    const secrets = ['task.assign', 'task.done', 'agent.hello', 'file.begin', 'noop', job.id, f.agent.agentId, farmKey, 'relay-test-controller', 'websocket', 'WebSocket', 'Upgrade'];
    for (const secret of secrets) assert.equal(recorded.indexOf(secret), -1, `the relay saw "${secret}" in clear`);
    assert.equal(recorded.indexOf(deriveTlsPsk(farmKey)), -1, 'the relay saw the TLS key');
    for (const name of await readdir(f.out)) {
      const bytes = await readFile(join(f.out, name));
      for (const at of [0, 4096, bytes.length >> 1, bytes.length - 48]) {
        assert.equal(recorded.indexOf(bytes.subarray(at, at + 32)), -1, `the relay saw bytes of ${name} at ${at} in clear`);
      }
    }

    // Replaying what the controller sent, each recorded connection in a fresh one, straight to the
    // agent: TLS refuses it (the agent's random differs every time), and no task runs.
    await f.controller.close();
    const startedBefore = f.agentLog.filter((l) => STARTED.test(l)).length;
    const streams = relay.connections.slice(0, 5).map((c) => Buffer.concat(c.toAgent)).filter((b) => b.length > 0);
    assert.ok(streams.length >= 1);
    for (const stream of streams) {
      const replay = await rawConnection({ port: f.agent.port, bytes: stream, timeoutMs: 8000 });
      assert.ok(replay.closed, 'the agent closed the replayed connection');
    }
    await new Promise((r) => setTimeout(r, 300));
    assert.equal(f.agentLog.filter((l) => STARTED.test(l)).length, startedBefore, 'the replay started no task');
    // The agent's own account (its hello to a key holder): nothing running, nothing held for anyone.
    const peek = await openRawSession(f.agent.url, farmKey, 'inspector');
    const hello = JSON.parse(peek.texts[0]!) as { running: unknown[] };
    await peek.close();
    assert.deepEqual(hello.running, [], 'the agent runs nothing after the replay');
  });

  test('a relay that changes one byte after the handshake breaks that connection, and no changed byte reaches an output', async (t) => {
    const farmKey = generateFarmKey();
    let relay!: TcpRelay;
    const FLIP_AT = 300_000; // inside the first output the agent sends
    let flipped = false;
    const f = await farm(farmKey, async (agent) => {
      relay = await startTcpRelay({
        targetPort: agent.port,
        tamper: (direction, chunk, offset) => {
          if (flipped || direction !== 'toController' || offset + chunk.length <= FLIP_AT) return chunk;
          flipped = true;
          const copy = Buffer.from(chunk);
          const at = Math.max(0, FLIP_AT - offset);
          copy[at] = copy[at]! ^ 0x01;
          return copy;
        },
      });
      cleanups.push(() => relay.close());
      return `wss://127.0.0.1:${relay.port}`;
    });
    const job = compileNoopJob({ count: 3, outputBytes: OUTPUT_BYTES, outputDir: f.out });
    f.controller.submit(job);
    const summary = await withTimeout(f.controller.waitForJob(job.id), 40_000, 'the job after the tampered connection');
    assert.ok(flipped, 'the relay changed a byte');
    const tampered = relay.connections.find((c) => c.tamperedAt !== null)!;
    assert.ok(tampered.closedAt !== null && tampered.closedAt - tampered.tamperedAt! < 2000, 'the tampered connection died at once');
    assert.ok(relay.connections.length >= 2, 'the controller reconnected');
    assert.equal(summary.state, 'succeeded', `notices: ${f.notices.join(' | ')}`);
    assert.equal(await outputsAreTheAgents(f, job.id), 3);
    assert.ok(!f.notices.some((n) => /different farm/.test(n)), `a broken connection is not a wrong key: ${f.notices.join(' | ')}`);
    t.diagnostic(`tampered connection closed ${tampered.closedAt! - tampered.tamperedAt!} ms after the flip; ${relay.connections.length} connections; notices: ${f.notices.join(' | ')}`);
  });

  test('a man in the middle with its own key is refused by both sides with the wrong-key sentence, and gets no task and no file', async () => {
    const farmKey = generateFarmKey();
    const mitmKey = generateFarmKey();
    const mitmLog: string[] = [];
    let mitmPeers = 0;
    let mitmFiles = 0;
    const upstream: { opened: boolean; refusal: string | null } = { opened: false, refusal: null };
    const f = await farm(farmKey, async (agent) => {
      // Toward the controller it is an agent, toward the agent a controller: with a key of its own.
      const mitm = await listenSecure({
        farmKey: mitmKey,
        host: '127.0.0.1',
        port: 0,
        log: (l) => mitmLog.push(l),
        onPeer: (ws: WebSocket) => {
          mitmPeers++;
          ws.on('message', (_d, isBinary) => void (isBinary && mitmFiles++));
        },
      });
      cleanups.push(() => mitm.close());
      const toAgent = connectSecure(agent.url, { farmKey: mitmKey, controllerId: 'mitm' });
      toAgent.on('open', () => (upstream.opened = true));
      toAgent.on('error', (error) => (upstream.refusal = classifyTlsFailure(error)));
      cleanups.push(async () => toAgent.terminate());
      return `wss://127.0.0.1:${mitm.port}`;
    });
    const job = compileNoopJob({ count: 2, outputBytes: 4096, outputDir: f.out });
    f.controller.submit(job);

    await until(() => f.notices.some((n) => /belongs to a different farm: its farm key does not match yours/.test(n)), 'the controller\'s wrong-key notice', 10_000, f.notices);
    await until(() => f.agentLog.some((l) => /a controller with a different farm key/.test(l)), 'the agent\'s wrong-key line', 10_000, f.agentLog);
    await until(() => mitmLog.some((l) => /a controller with a different farm key/.test(l)), 'the middle\'s refusal of the controller', 10_000, mitmLog);
    await new Promise((r) => setTimeout(r, 1000));
    assert.equal(mitmPeers, 0, 'the controller never opened a channel to the middle');
    assert.equal(mitmFiles, 0, 'no file reached the middle');
    assert.equal(upstream.opened, false, 'the agent never opened a channel to the middle');
    assert.equal(upstream.refusal, 'wrong-key');
    assert.equal(f.agentLog.filter((l) => STARTED.test(l)).length, 0, 'no task ran on the agent');
    const tasks = f.controller.scheduler.job(job.id)!.record.tasks;
    assert.ok(tasks.every((t) => t.attempt === 0), 'the controller never assigned a task');
    assert.ok(f.controller.agents().every((a) => !a.online), 'no agent is online');
    const notice = f.notices.find((n) => /different farm/.test(n))!;
    assert.match(notice, /start the agent with the key shown by `farmhand key`/);
  });
});

async function until(check: () => boolean, what: string, timeoutMs: number, seen: string[]): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (let i = 0; i < 10_000 && !check(); i++) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}; seen:\n${seen.join('\n')}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}
