import assert from 'node:assert/strict';
import { execFile, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdtemp, readdir, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { after, before, describe, test } from 'node:test';
import fc from 'fast-check';
import { WebSocket } from 'ws';
import { CLOSE_CODES, generateFarmKey, MAX_FRAME_BYTES, type MessageOf } from '../../node-agent/protocol/index.js';
import { listenSecure, type SecureServer } from '../../node-agent/channel/index.js';
import { hostileBinary, hostileText, NESTED_FRAME } from '../helpers/hostile-frames.js';
import { Proc } from '../helpers/proc.js';
import { isAlive, OutputMeter, rssMb, settledRssMb, watchPeakRss } from '../helpers/proc-watch.js';
import { rawConnection } from '../helpers/raw-socket.js';

// Issue 14: a controller that connected to a peer sending the 20 KB nested frame died, and one
// printed 108,500 warnings for 325,500 bad agent messages. Here a live `farmhand controller`
// process connects to agents that hold the farm key and send fuzzed frames after their hello,
// or junk instead of it, and its API WebSocket is fuzzed before the token. The process must
// stay up, its API must answer, its warnings stay bounded, and its RSS comes back.

const root = fileURLToPath(new URL('../..', import.meta.url));
const run = promisify(execFile);
const RSS_SLACK_MB = 50;
/**
 * How a peer sees its oversized frame refused: 1009 (message too big) once the close frame is
 * out; the socket is then cut (peer-channel.ts), so the close may race and arrive as 1006.
 */
const TOO_BIG = [1009, 1006];

/** A listening agent with the farm key that does whatever `onPeer` says with the raw WebSocket. */
interface FuzzingAgent {
  url: string;
  connections: number;
  /** Close codes the controller closed this agent's connections with. */
  closes: number[];
  /** Text frames the controller sent. */
  texts: string[];
  server: SecureServer;
}

async function startFuzzingAgent(farmKey: string, onPeer: (ws: WebSocket, agent: FuzzingAgent) => void): Promise<FuzzingAgent> {
  const agent: FuzzingAgent = { url: '', connections: 0, closes: [], texts: [], server: null as unknown as SecureServer };
  agent.server = await listenSecure({
    farmKey,
    host: '127.0.0.1',
    port: 0,
    log: () => undefined,
    onPeer: (ws) => {
      agent.connections++;
      ws.on('message', (data, isBinary) => {
        if (!isBinary && agent.texts.length < 10_000) agent.texts.push(data.toString());
      });
      ws.on('close', (code) => agent.closes.push(code));
      ws.on('error', () => undefined);
      onPeer(ws, agent);
    },
  });
  agent.url = `wss://127.0.0.1:${agent.server.port}`;
  return agent;
}

function hello(agentId: string): MessageOf<'agent.hello'> {
  return {
    type: 'agent.hello', agentId, name: agentId, hostname: 'fuzz.local', slots: 1, tags: [],
    capabilities: { blender: null, ffmpeg: null, cores: 2, memoryBytes: 2 ** 33, platform: 'linux', taskTypes: [] },
    running: [], held: [],
  };
}

const send = (ws: WebSocket, data: string | Buffer, binary = false) =>
  new Promise<void>((resolve) => (ws.readyState === ws.OPEN ? ws.send(data, { binary }, () => resolve()) : resolve()));

/** The controller read everything sent before: it answered a ping sent after it (frames are read in order). */
function pinged(ws: WebSocket, timeoutMs = 5000): Promise<boolean> {
  if (ws.readyState !== ws.OPEN) return Promise.resolve(false);
  return new Promise((resolve) => {
    const done = (ok: boolean) => {
      clearTimeout(timer);
      ws.off('pong', onPong);
      ws.off('close', onClose);
      resolve(ok);
    };
    const onPong = () => done(true);
    const onClose = () => done(false);
    const timer = setTimeout(() => done(false), timeoutMs);
    ws.on('pong', onPong);
    ws.on('close', onClose);
    ws.ping();
  });
}

describe('fuzzing a live controller process', { timeout: 110_000 }, () => {
  let dir: string;
  let home: string;
  let farmKey: string;
  let controller: Proc;
  let meter: OutputMeter;
  let apiUrl: string;
  let baselineMb: number;
  const agents: FuzzingAgent[] = [];
  /** The fuzzer's current connection from the controller (it reconnects after each one it closes). */
  let current: WebSocket | null = null;

  before(async () => {
    assert.ok(existsSync(join(root, 'dist/bundle/farmhand.cjs')), 'build first: npm run build');
    dir = await mkdtemp(join(tmpdir(), 'fh-fuzz-controller-'));
    home = join(dir, 'home');
    farmKey = generateFarmKey();
  });
  after(async () => {
    if (controller && isAlive(controller.child)) {
      controller.child.kill('SIGTERM');
      await controller.exited;
    }
    await Promise.all(agents.map((a) => Promise.race([a.server.close().catch(() => undefined), new Promise((r) => setTimeout(r, 3000).unref())])));
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  test('agents with the key that send fuzzed frames after their hello, or junk instead of it, never stop the controller; warnings and RSS stay bounded', async (t) => {
    // The fuzzer greets properly; the test then sends generated frames on whatever connection is current.
    const fuzzer = await startFuzzingAgent(farmKey, (ws) => {
      current = ws;
      void send(ws, JSON.stringify(hello('fuzzer')));
    });
    // Junk instead of the hello, one kind per agent.
    const junk: [string, (ws: WebSocket) => void][] = [
      ['the nested frame first', (ws) => void send(ws, NESTED_FRAME)],
      ['a valid message that is not the hello', (ws) => void send(ws, JSON.stringify({ type: 'task.done', taskId: 'j:1', attempt: 1, outputs: [], elapsedMs: 1 }))],
      ['a hello with wrong fields', (ws) => void send(ws, JSON.stringify({ ...hello('bad'), slots: -1, capabilities: 'all' }))],
      ['random binary and text', (ws) => {
        for (const frame of fc.sample(hostileBinary, 20)) void send(ws, Buffer.from(frame), true);
        for (const text of fc.sample(hostileText, 20)) void send(ws, text);
      }],
      ['a flood of invalid messages', (ws) => {
        for (let i = 0; i < 2000; i++) void send(ws, '{"type":"agent.hello"}');
      }],
      ['a frame over the size limit', (ws) => void send(ws, 'x'.repeat(MAX_FRAME_BYTES + 1024))],
    ];
    agents.push(fuzzer);
    for (const [, behave] of junk) agents.push(await startFuzzingAgent(farmKey, behave));

    const env = { ...process.env, FARMHAND_HOME: home, FARMHAND_FARM_KEY: farmKey, HOME: join(dir, 'scratch'), XDG_CACHE_HOME: join(dir, 'scratch') };
    controller = new Proc(spawn(process.execPath, [join(root, 'bin/farmhand.js'), 'controller', '--port', '0', '--no-discover', '--no-local-agent',
      '--output-root', join(dir, 'out'), ...agents.flatMap((a) => ['--agent', a.url])], { cwd: root, env, stdio: ['ignore', 'pipe', 'pipe'] }));
    meter = new OutputMeter(controller.child);
    apiUrl = /listening on (ws:\S+)/.exec((await controller.waitFor(/listening on ws:/, 20_000)).text)![1]!;
    const startedAt = Date.now();
    // Where it started: running, with the fuzzer greeted (the first agent loads the schemas).
    await until(() => current?.readyState === WebSocket.OPEN, 'the controller to connect to the fuzzer', 10_000);
    await new Promise((r) => setTimeout(r, 300));
    baselineMb = rssMb(controller.child.pid!);
    const peak = watchPeakRss(controller.child.pid!);

    /** The fuzzer's open connection, waiting (bounded) for the controller to reconnect after a close. */
    const session = async (): Promise<WebSocket> => {
      for (let i = 0; i < 300; i++) {
        if (current?.readyState === WebSocket.OPEN) return current;
        await new Promise((r) => setTimeout(r, 50));
      }
      throw new Error('the controller did not reconnect to the fuzzing agent within 15 s');
    };

    // Generated text and binary frames after the hello; the controller must read them all (a ping answered).
    const frame = fc.oneof(hostileText.map((text) => ({ text })), hostileBinary.map((bin) => ({ bin: Buffer.from(bin) })));
    await fc.assert(fc.asyncProperty(fc.array(frame, { minLength: 1, maxLength: 25 }), async (frames) => {
      const ws = await session();
      for (const f of frames) await ('text' in f ? send(ws, f.text) : send(ws, f.bin, true));
      const answered = await pinged(ws);
      // Either it read them all, or it closed this connection (a flood, a fault): never the process.
      return (answered || ws.readyState !== WebSocket.OPEN) && isAlive(controller.child);
    }), { numRuns: 40, interruptAfterTimeLimit: 25_000 });

    // The nested frame after the hello, on a fresh connection (only the first 10 invalid
    // messages of one are answered): refused with a reason, and the connection carries on.
    current?.close(1000, 'next');
    await until(() => current?.readyState === WebSocket.CLOSED, 'the fuzzer\'s close', 5000);
    let ws = await session();
    const before = fuzzer.texts.length;
    await send(ws, NESTED_FRAME);
    assert.ok(await pinged(ws), 'the controller still reads the connection after the nested frame');
    assert.ok(fuzzer.texts.slice(before).some((x) => x.includes('invalid-message') && x.includes('nests deeper than 16 levels')), 'the nested frame is refused with its reason');

    // Files with absurd sizes for tasks that do not exist, and chunks for them: nothing written.
    const sha256 = 'cd'.repeat(32);
    const chunk = randomBytes(1024 * 1024);
    for (const [streamId, size] of [[11, 60 * 1024 ** 3], [12, Number.MAX_SAFE_INTEGER], [13, 2048]] as const) {
      await send(ws, JSON.stringify({ type: 'file.begin', streamId, file: { sha256, size, name: `f${streamId}.png` }, task: { taskId: 'nojob:0', attempt: 1 } }));
      for (let i = 0; i < 3; i++) await send(ws, Buffer.concat([Buffer.from([0, 0, 0, streamId]), chunk]), true);
      await send(ws, JSON.stringify({ type: 'file.end', streamId }));
    }
    assert.ok(await pinged(ws), 'the controller still reads the connection after the absurd files');

    // Over the frame limit: closed with 1009. A flood: cut off at 100 with 10 answers.
    const closes = fuzzer.closes.length;
    await send(ws, 'x'.repeat(MAX_FRAME_BYTES + 1024));
    await until(() => fuzzer.closes.length > closes, 'the close of the oversized frame', 5000);
    assert.ok(TOO_BIG.includes(fuzzer.closes.at(-1)!), `an oversized frame closes the connection (code ${fuzzer.closes.at(-1)})`);
    ws = await session();
    const answersBefore = fuzzer.texts.filter((x) => x.includes('invalid-message')).length;
    for (let i = 0; i < 1000; i++) void send(ws, '{"type":"task.progress"}');
    await until(() => ws.readyState === WebSocket.CLOSED, 'the cut-off of the flood', 5000);
    assert.equal(fuzzer.closes.at(-1), CLOSE_CODES.tooManyInvalid);
    assert.equal(fuzzer.texts.filter((x) => x.includes('invalid-message')).length - answersBefore, 10);

    // Give the junk agents' reconnects time to run (the flood one keeps coming back), then judge.
    await until(() => Date.now() - startedAt > 12_000, 'the junk agents', 15_000);
    assert.ok(isAlive(controller.child), `the controller process is gone:\n${controller.text().slice(-2000)}`);
    const [nested, notHello, badHello, randomFirst, flood, oversize] = agents.slice(1);
    assert.ok(nested!.closes.includes(CLOSE_CODES.authFailed), `no hello within 5 s closes the connection (codes ${nested!.closes})`);
    assert.ok(notHello!.closes.includes(CLOSE_CODES.authFailed), `a first message that is not the hello closes the connection (codes ${notHello!.closes})`);
    assert.ok(badHello!.closes.includes(CLOSE_CODES.authFailed), `a hello that does not validate is no hello (codes ${badHello!.closes})`);
    assert.ok(randomFirst!.closes.length >= 1, 'random frames instead of the hello: closed');
    assert.ok(flood!.closes.length >= 2 && flood!.closes.every((c) => c === CLOSE_CODES.tooManyInvalid), `the flood is cut each time (codes ${flood!.closes})`);
    assert.ok(oversize!.closes.length >= 1 && oversize!.closes.every((c) => TOO_BIG.includes(c)), `an oversized frame closes the connection (codes ${oversize!.closes})`);
    for (const [i, [name]] of junk.entries()) t.diagnostic(`${name}: ${agents[i + 1]!.connections} connection(s), closes ${agents[i + 1]!.closes.join(',')}`);
    t.diagnostic(`fuzzer: ${fuzzer.connections} connection(s), closes ${fuzzer.closes.join(',')}`);

    // Warnings: per agent a few per 10 s window and a count (log-limiter.ts), not one per bad message.
    const invalidSent = fuzzer.texts.filter((x) => x.includes('invalid-message')).length;
    for (const agent of agents) {
      const port = agent.url.split(':').at(-1)!;
      const lines = controller.lines.filter((l) => l.text.includes(`127.0.0.1:${port}`)).length;
      t.diagnostic(`${agent.url}: ${lines} printed line(s)`);
      assert.ok(lines <= 30, `${lines} lines about ${agent.url}:\n${controller.lines.filter((l) => l.text.includes(port)).map((l) => l.text).join('\n').slice(0, 3000)}`);
    }
    const log = meter.mark();
    t.diagnostic(`controller output: ${log.lines} lines, ${log.bytes} bytes (it answered ${invalidSent} invalid messages to the fuzzer)`);
    assert.ok(log.bytes < 64 * 1024, `the controller printed ${log.bytes} bytes`);

    // Nothing the agents sent was written anywhere.
    assert.deepEqual(await readdir(join(dir, 'out')).catch(() => []), [], 'no output was written');
    assert.ok((await folderBytes(home)) < 1024 * 1024, 'nothing large was written under FARMHAND_HOME');

    const peakMb = peak.stop();
    const settled = await settledRssMb(controller.child.pid!, baselineMb, RSS_SLACK_MB, 10_000);
    t.diagnostic(`controller RSS ${baselineMb.toFixed(1)} MB at start → peak ${peakMb.toFixed(1)} → settled ${settled.toFixed(1)} MB`);
    assert.ok(settled - baselineMb <= RSS_SLACK_MB, `RSS ${settled.toFixed(1)} MB did not come back within ${RSS_SLACK_MB} MB of ${baselineMb.toFixed(1)} MB`);
  });

  test('the API WebSocket before its token: nested, garbage and oversized frames close that client only, and the API still answers', async (t) => {
    assert.ok(apiUrl, 'the controller started (previous test)');
    const port = Number(new URL(apiUrl).port);
    const before = rssMb(controller.child.pid!);
    const peak = watchPeakRss(controller.child.pid!);
    /** Opens an API socket, sends `frames` before any token, and resolves with how it was closed. */
    const unauthenticated = (frames: (string | Buffer)[], timeoutMs = 5000) => new Promise<{ code: number; texts: string[] }>((resolve, reject) => {
      const ws = new WebSocket(apiUrl, { perMessageDeflate: false });
      const texts: string[] = [];
      const timer = setTimeout(() => {
        ws.terminate();
        reject(new Error(`the API left a client open that sent ${frames.length} bad frame(s)`));
      }, timeoutMs);
      ws.on('message', (d) => texts.push(d.toString()));
      ws.on('error', () => undefined);
      ws.on('open', () => {
        for (const f of frames) ws.send(f, { binary: typeof f !== 'string' });
      });
      ws.on('close', (code) => {
        clearTimeout(timer);
        resolve({ code, texts });
      });
    });

    const deep = '['.repeat(10000) + ']'.repeat(10000);
    const corpus: [string, (string | Buffer)[]][] = [
      ['the nested frame', [NESTED_FRAME]],
      ['a request nested in its params', [`{"type":"request","id":1,"command":"jobs.list","params":${deep}}`]],
      ['an auth nested in its token', [`{"type":"auth","token":${deep}}`]],
      ['a nested id', [`{"type":"request","id":${deep},"command":"x"}`]],
      ['binary garbage', [randomBytes(4096)]],
      ['not JSON', ['}{'.repeat(1000)]],
    ];
    for (const [name, frames] of corpus) {
      const closed = await unauthenticated(frames);
      assert.equal(closed.code, 4001, `${name}: refused and closed (got ${closed.code})`);
      assert.match(closed.texts.join('\n'), /auth\.refused/, `${name}: told why`);
    }
    assert.equal((await unauthenticated(['x'.repeat(1024 * 1024 + 16)])).code, 1009, 'a frame over 1 MB closes with 1009');

    // Generated frames before the token: each client is refused and closed.
    await fc.assert(fc.asyncProperty(fc.array(fc.oneof(hostileText, hostileBinary.map((b) => Buffer.from(b))), { minLength: 1, maxLength: 5 }), async (frames) => {
      const closed = await unauthenticated(frames);
      return closed.code === 4001 || closed.code === 1007; // 1007: ws refuses text that is not UTF-8
    }), { numRuns: 40, interruptAfterTimeLimit: 20_000 });

    // Raw TCP garbage and a slow request at the HTTP port.
    assert.ok((await rawConnection({ port, bytes: randomBytes(8192), timeoutMs: 5000 })).closed, 'raw garbage at the API port is closed');
    assert.ok((await rawConnection({ port, bytes: `GET /api HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Key: ${'A'.repeat(400)}\r\n\r\n`, timeoutMs: 5000 })).closed, 'a broken upgrade is closed');

    assert.ok(isAlive(controller.child), `the controller process is gone:\n${controller.text().slice(-2000)}`);
    const env = { ...process.env, FARMHAND_HOME: home, HOME: join(dir, 'scratch') };
    const { stdout } = await run(process.execPath, [join(root, 'bin/farmhand.js'), 'jobs', '--json', '--url', apiUrl], { cwd: root, env, timeout: 20_000 });
    assert.ok(Array.isArray(JSON.parse(stdout)), `\`farmhand jobs --json\` answers: ${stdout.slice(0, 200)}`);
    const token = (await readFile(join(home, 'api-token'), 'utf8')).trim();
    assert.ok(token.length > 0);
    const peakMb = peak.stop();
    const settled = await settledRssMb(controller.child.pid!, baselineMb, RSS_SLACK_MB, 10_000);
    t.diagnostic(`API fuzz: controller RSS ${before.toFixed(1)} MB before → peak ${peakMb.toFixed(1)} → settled ${settled.toFixed(1)} MB`);
    assert.ok(settled - baselineMb <= RSS_SLACK_MB);
  });
});

async function until(check: () => boolean, what: string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (let i = 0; i < 10_000 && !check(); i++) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

async function folderBytes(dir: string): Promise<number> {
  let total = 0;
  for (const e of await readdir(dir, { recursive: true, withFileTypes: true }).catch(() => [])) {
    if (e.isFile()) total += (await stat(join(e.parentPath ?? e.path, e.name)).catch(() => ({ size: 0 }))).size;
  }
  return total;
}
