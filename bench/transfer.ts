import { randomBytes } from 'node:crypto';
import { mkdir, open, readdir, rm, stat } from 'node:fs/promises';
import { createConnection, type Socket } from 'node:net';
import { join } from 'node:path';
import { connect as connectTls } from 'node:tls';
import type { Controller } from '../electron/controller/create-controller.js';
import { newJob, newJobId, newTask } from '../electron/controller/jobs/new-job.js';
import { describeFile, generateFarmKey, type FileRef } from '../node-agent/protocol/index.js';
import { connectSecure, PeerChannel, tlsClientOptions, TLS_PSK_CIPHERS } from '../node-agent/channel/index.js';
import { startCpuWindow } from './lib/cpu.js';
import { spawnAgent, startBenchController, waitOnline, type AgentProcess } from './lib/farm.js';
import { cliCommand, freePort, ROOT, startChild, waitForPort, type Child } from './lib/processes.js';
import { row, round, type Row } from './lib/row.js';
import { childEnv, scratchDir, withTimeout } from './lib/scratch.js';
import { median } from './lib/stats.js';

const MIB = 1024 * 1024;
const SIZE = 500 * MIB;
const ROUNDS = 7;
const FARM_ROUNDS = 3;
const TIMEOUT_MS = 120_000;

/** What this benchmark does, for BENCHMARKS.md. */
export const about =
  `One 500 MiB file sent from this process to a receiver in its own process on loopback, three ways in the same run: (channel) Farmhand's channel, \`PeerChannel.sendFile\` over \`connectSecure\` → \`listenSecure\` + PeerChannel, what an input or an output travels over; (raw TLS) a bare \`node:tls\` socket with the channel's own TLS-PSK options (tls-psk.ts: TLS 1.2, ${TLS_PSK_CIPHERS}); (raw TCP) a plain \`net\` socket; every receiver hashes (sha256) and writes to disk like an agent. The raw senders read the file into reused 1 MiB buffers as the channel does. One untimed round, then ${ROUNDS} rounds with the order rotated; each transfer timed from its first byte (connection open) to the receiver's "done" (file closed, hash computed); medians, and each round's channel run divided by the same round's baselines (median of those = the ratio); CPU seconds of both processes from /proc. Then the farm path: the file as the input of one no-op task (newJob/newTask), controller (this process) → agent process, submit → task succeeded, ${FARM_ROUNDS} rounds with a fresh agent each; then a second job with the same input on the agent that has it cached: binary (file-chunk) frames written by the controller are counted by wrapping that connection's \`ws.send\`, and the socket's bytesWritten is read.`;

/**
 * Input transfer. The core question: what does Farmhand's channel (TLS-PSK with the WebSocket
 * inside, PeerChannel's framing, hash and write on arrival) cost against the same bytes over a
 * bare TLS socket with the same cipher, and over plain TCP? Every receiver hashes and writes to
 * disk like an agent, in its own process (bench/lib/transfer-sink.ts). Then the farm's own
 * path end to end (job → dispatch → transfer → cache → task done), and a cached second job.
 *
 *   node --import tsx bench/transfer.ts [--channel-only] [--rounds N] [--detail] [--ways channel,tls]
 * prints the rows without recording them (--detail: every transfer's MB/s and CPU; --ways: only
 * those, no rows; FARMHAND_BENCH_SINK_NODE_ARGS passes flags such as --cpu-prof to the
 * receivers). run-all runs it as `node --import tsx bench/run-all.ts transfer` and records them.
 */


type Way = 'channel' | 'tls' | 'tcp';
const WAYS: Way[] = ['channel', 'tls', 'tcp'];

async function makeInput(path: string): Promise<void> {
  const block = randomBytes(MIB);
  const file = await open(path, 'w');
  try {
    for (let i = 0; i < SIZE / MIB; i++) {
      block.writeUInt32BE(i, 0); // every MiB differs
      await file.write(block);
    }
  } finally {
    await file.close();
  }
}

interface Sink {
  way: Way;
  port: number;
  child: Child;
  /** Resolves with the receiver's next `done <bytes> <sha256>` line; rejects on `failed …`. */
  nextDone(): Promise<{ bytes: number; sha256: string }>;
}

async function startSink(way: Way, dir: string, home: string, farmKey: string): Promise<Sink> {
  const port = await freePort();
  // FARMHAND_BENCH_SINK_NODE_ARGS: extra node flags for the receivers (e.g. `--cpu-prof --cpu-prof-dir=/tmp/prof`, which NODE_OPTIONS refuses).
  const nodeArgs = (process.env.FARMHAND_BENCH_SINK_NODE_ARGS ?? '').split(' ').filter(Boolean);
  const child = startChild(process.execPath, [...nodeArgs, '--import', 'tsx', join(ROOT, 'bench/lib/transfer-sink.ts'), String(port), way, dir, String(SIZE)], {
    cwd: ROOT,
    env: childEnv(home, { FARMHAND_BENCH_FARM_KEY: farmKey }),
  });
  const waiting: { resolve(v: { bytes: number; sha256: string }): void; reject(e: Error): void }[] = [];
  let buffered = '';
  child.process.stdout!.on('data', (chunk: Buffer) => {
    buffered += chunk.toString();
    for (let nl = buffered.indexOf('\n'); nl !== -1; nl = buffered.indexOf('\n')) {
      const line = buffered.slice(0, nl);
      buffered = buffered.slice(nl + 1);
      if (line.startsWith('done ')) {
        const [, bytes, sha256] = line.split(' ');
        waiting.shift()?.resolve({ bytes: Number(bytes), sha256: sha256! });
      } else if (line.startsWith('failed ')) waiting.shift()?.reject(new Error(`the ${way} receiver: ${line}`));
    }
  });
  await waitForPort(port, child, 20_000);
  return { way, port, child, nextDone: () => new Promise((resolve, reject) => waiting.push({ resolve, reject })) };
}

/**
 * Writes the file to a raw socket the way PeerChannel reads it: 1 MiB reads into a few reused
 * buffers (a fresh buffer per read, as a read stream hands out, costs the kernel a mapping of
 * its pages each time), at most 8 MiB queued on the socket.
 */
async function pumpFile(path: string, socket: Socket): Promise<void> {
  const handle = await open(path, 'r');
  const spare: Buffer[] = [];
  try {
    for (let position = 0; position < SIZE; ) {
      while (socket.writableLength > 8 * MIB) await new Promise((resolve) => socket.once('drain', resolve));
      const buffer = spare.pop() ?? Buffer.allocUnsafe(MIB);
      const length = Math.min(MIB, SIZE - position);
      const { bytesRead } = await handle.read(buffer, 0, length, position);
      if (bytesRead !== length) throw new Error('the input changed while being sent');
      socket.write(length === MIB ? buffer : buffer.subarray(0, length), () => spare.length < 8 && spare.push(buffer));
      position += length;
    }
  } finally {
    await handle.close();
  }
}

interface Transfer {
  ms: number;
  /** CPU seconds (user + system) of the sending process and of the receiver's, during the transfer. */
  senderCpu: number;
  receiverCpu: number;
  /** The part of those spent in the kernel. */
  senderSystem: number;
  receiverSystem: number;
}

/** One transfer to `sink`; the clock starts once the connection (and its handshake) is up. */
async function transferOnce(sink: Sink, path: string, ref: FileRef, farmKey: string): Promise<Transfer> {
  const done = sink.nextDone();
  let cpu: ReturnType<typeof startCpuWindow>;
  let started: number;
  const begin = () => {
    cpu = startCpuWindow([sink.child.process.pid!]);
    started = performance.now();
  };
  if (sink.way === 'channel') {
    const ws = connectSecure(`wss://127.0.0.1:${sink.port}`, { farmKey, controllerId: 'bench-transfer' });
    await new Promise<void>((resolve, reject) => {
      ws.once('open', () => resolve());
      ws.once('error', reject);
    });
    const channel = new PeerChannel(ws, { openIncoming: async () => ({ refuse: 'the bench sender receives nothing' }) });
    try {
      begin();
      await withTimeout(channel.sendFile(path, ref), TIMEOUT_MS, 'the channel transfer');
      await withTimeout(done, TIMEOUT_MS, 'the channel receiver');
    } finally {
      ws.terminate();
    }
  } else {
    const socket: Socket = sink.way === 'tls'
      ? connectTls({ host: '127.0.0.1', port: sink.port, ...tlsClientOptions(farmKey) })
      : createConnection({ host: '127.0.0.1', port: sink.port });
    await new Promise<void>((resolve, reject) => {
      socket.once(sink.way === 'tls' ? 'secureConnect' : 'connect', () => resolve());
      socket.once('error', reject);
    });
    try {
      begin();
      await withTimeout(pumpFile(path, socket), TIMEOUT_MS, `the raw ${sink.way} transfer`);
      await withTimeout(done, TIMEOUT_MS, `the raw ${sink.way} receiver`);
    } finally {
      socket.destroy();
    }
  }
  const ms = performance.now() - started!;
  const window = cpu!.stop();
  const received = await done;
  if (received.bytes !== SIZE || received.sha256 !== ref.sha256) {
    throw new Error(`the ${sink.way} receiver got ${received.bytes} bytes, sha256 ${received.sha256}`);
  }
  const w = window.wallSeconds;
  return {
    ms,
    senderCpu: window.selfCores * w,
    receiverCpu: (window.childCores ?? Number.NaN) * w,
    senderSystem: window.selfSystemCores * w,
    receiverSystem: (window.childSystemCores ?? Number.NaN) * w,
  };
}

interface SendCounter {
  binaryFrames: number;
  binaryBytes: number;
  wireBytes(): number;
  stop(): void;
}

/** Counts what the controller writes to its one agent connection (binary frames = file chunks). */
function countSends(controller: Controller): SendCounter {
  const link = controller.pool.all()[0];
  const ws = (link as unknown as { channel?: { ws?: { send: (...a: unknown[]) => void; _socket?: Socket } } | null } | undefined)?.channel?.ws;
  if (!ws) throw new Error('cannot reach the controller\'s agent connection to count bytes (AgentLink internals changed?)');
  const socket = ws._socket;
  const wire0 = socket?.bytesWritten ?? Number.NaN;
  const original = ws.send;
  const counter: SendCounter = {
    binaryFrames: 0,
    binaryBytes: 0,
    wireBytes: () => (socket?.bytesWritten ?? Number.NaN) - wire0,
    stop: () => void (ws.send = original),
  };
  ws.send = function (this: unknown, data: unknown, ...rest: unknown[]) {
    if (typeof data !== 'string') {
      counter.binaryFrames++;
      counter.binaryBytes += (data as Buffer).length;
    }
    return original.call(this, data, ...rest);
  };
  return counter;
}

function transferJob(ref: FileRef, path: string, outputDir: string) {
  const id = newJobId();
  return newJob({
    id,
    name: 'transfer 500 MiB',
    type: 'noop',
    priority: 50,
    tags: [],
    outputDir,
    inputFiles: [{ sha256: ref.sha256, size: ref.size, path }],
    settings: { maxAttempts: 1, taskTimeoutMs: 600_000 },
    tasks: [newTask(id, 0, 'needs the input', { type: 'noop' }, [ref])],
  });
}

async function runJob(controller: Controller, ref: FileRef, path: string, outputDir: string): Promise<number> {
  const job = transferJob(ref, path, outputDir);
  const started = performance.now();
  controller.submit(job);
  const summary = await withTimeout(controller.waitForJob(job.id), TIMEOUT_MS, 'the transfer job');
  const ms = performance.now() - started;
  if (summary.state !== 'succeeded') throw new Error(`the transfer job ${summary.state}: ${summary.failure ?? job.tasks[0]?.error ?? ''}`);
  return ms;
}

const mbps = (ms: number) => SIZE / 1e6 / (ms / 1000);
const list = (values: number[], digits = 0) => values.map((x) => x.toFixed(digits)).join(', ');

/** Every transfer of the last run, for a direct run's detail (`--detail`). */
let lastRuns: Record<string, Transfer[]> = {};

export async function run(o: { channelOnly?: boolean; rounds?: number; ways?: Way[] } = {}): Promise<Row[]> {
  const rounds = o.rounds ?? ROUNDS;
  const scratch = await scratchDir('transfer');
  const farmKey = generateFarmKey();
  const cleanups: (() => Promise<unknown>)[] = [];
  try {
    const input = join(scratch.dir, 'input.bin');
    await makeInput(input);
    const hashStarted = performance.now();
    const ref = { ...(await describeFile(input, 'input.bin')) };
    const hashMs = performance.now() - hashStarted;

    // The three ways, each receiver its own long-lived process (like an agent), order rotated per round.
    const received = join(scratch.dir, 'received');
    await mkdir(received, { recursive: true });
    const ways = o.ways ?? WAYS;
    const sinks = new Map<Way, Sink>();
    for (const way of ways) {
      const sink = await startSink(way, received, scratch.home, farmKey);
      cleanups.push(() => sink.child.stop());
      sinks.set(way, sink);
    }
    // One untimed round first: a receiver's first file in a fresh process costs it more (its heap
    // and the page cache grow), and an agent that has run for a while is what is measured.
    for (const way of ways) await transferOnce(sinks.get(way)!, input, ref, farmKey);
    const runs = new Map<Way, Transfer[]>(ways.map((w) => [w, []]));
    for (let i = 0; i < rounds; i++) {
      for (let k = 0; k < ways.length; k++) {
        const way = ways[(i + k) % ways.length]!;
        runs.get(way)!.push(await transferOnce(sinks.get(way)!, input, ref, farmKey));
      }
    }
    lastRuns = Object.fromEntries(runs);
    if (o.ways) return [];
    const stat3 = (way: Way) => {
      const r = runs.get(way)!;
      return {
        mbps: median(r.map((t) => mbps(t.ms))),
        all: r.map((t) => mbps(t.ms)),
        ms: median(r.map((t) => t.ms)),
        sender: median(r.map((t) => t.senderCpu)),
        receiver: median(r.map((t) => t.receiverCpu)),
      };
    };
    const channel = stat3('channel');
    const tls = stat3('tls');
    const tcp = stat3('tcp');
    // Each round's channel run against the same round's baseline: a drift of the machine between rounds cancels.
    const paired = (baseline: Way) => runs.get('channel')!.map((c, i) => runs.get(baseline)![i]!.ms / c.ms);
    const toTls = paired('tls');
    const toTcp = paired('tcp');
    const cpuText = (s: ReturnType<typeof stat3>) => `${s.sender.toFixed(2)} s sender + ${s.receiver.toFixed(2)} s receiver`;
    const range = (s: ReturnType<typeof stat3>) => `${Math.round(Math.min(...s.all))}–${Math.round(Math.max(...s.all))}`;
    const rows: Row[] = [
      row({
        bench: 'transfer',
        metric: 'channel (PeerChannel.sendFile, TLS-PSK + WebSocket) vs a bare TLS-PSK socket, same cipher: 500 MiB, receiver hashes + writes, throughput',
        unit: 'MB/s',
        measured: round(channel.mbps, 1),
        baseline: round(tls.mbps, 1),
        baselineLabel: `bare node:tls socket, ${TLS_PSK_CIPHERS} → process that hashes and writes`,
        ratio: round(median(toTls), 3),
        goal: { op: '>=', value: 0.8, on: 'ratio', source: 'issue 14' },
        note: `ratio = the median of each round's channel MB/s / raw TLS MB/s (${list(toTls, 2)}); ratio of the medians ${(channel.mbps / tls.mbps).toFixed(2)}; channel MB/s ${list(channel.all)}, raw TLS MB/s ${list(tls.all)}; median CPU per transfer: channel ${cpuText(channel)}, raw TLS ${cpuText(tls)}`,
      }),
      row({
        bench: 'transfer',
        metric: 'channel vs raw TCP: 500 MiB, receiver hashes + writes, throughput',
        unit: 'MB/s',
        measured: round(channel.mbps, 1),
        baseline: round(tcp.mbps, 1),
        baselineLabel: 'plain net socket → process that hashes and writes',
        ratio: round(median(toTcp), 3),
        note: `ratio = the median of each round's channel / raw TCP (${list(toTcp, 2)}); raw TCP MB/s ${list(tcp.all)} (${range(tcp)}); median CPU per transfer: raw TCP ${cpuText(tcp)}; raw TLS / raw TCP = ${(tls.mbps / tcp.mbps).toFixed(2)} (the cost of the encryption alone)`,
      }),
    ];
    if (o.channelOnly) return rows;

    // The whole farm path: job → dispatch → transfer → hash check → cache → task done.
    const farm: number[] = [];
    let agent: AgentProcess | null = null;
    let controller: Controller | null = null;
    for (let i = 0; i < FARM_ROUNDS; i++) {
      const dataDir = join(scratch.dir, `agent-${i}`);
      agent = await spawnAgent({ farmKey, dataDir, home: scratch.home, slots: 1 });
      const a = agent;
      cleanups.push(() => a.stop());
      controller = await startBenchController({ home: join(scratch.dir, `ctl-${i}`), farmKey, agentUrls: [agent.url], persist: true });
      const c = controller;
      cleanups.push(() => c.close());
      await waitOnline(controller, 1);
      farm.push(await runJob(controller, ref, input, join(scratch.dir, 'out')));
      if (i < FARM_ROUNDS - 1) {
        await controller.close();
        await agent.stop();
        await rm(dataDir, { recursive: true, force: true });
      }
    }

    // The same input again, to the agent that has it cached.
    const counter = countSends(controller!);
    let secondMs: number;
    try {
      secondMs = await runJob(controller!, ref, input, join(scratch.dir, 'out'));
    } finally {
      counter.stop();
    }
    const cached = join(scratch.dir, `agent-${FARM_ROUNDS - 1}`, 'inputs');
    const cachedFiles = await readdir(cached).catch(() => [] as string[]);
    const cachedOk = cachedFiles.includes(ref.sha256) && (await stat(join(cached, ref.sha256))).size === SIZE;
    const f = median(farm);
    rows.push(
      row({
        bench: 'transfer',
        metric: '500 MiB input to an agent, submit → task succeeded, vs the channel alone',
        unit: 's',
        measured: round(f / 1000, 3),
        baseline: round(channel.ms / 1000, 3),
        baselineLabel: 'the same bytes over the channel alone (above)',
        note: `farm ${Math.round(mbps(f))} MB/s; medians of ${FARM_ROUNDS}, fresh agent each: farm (s) ${list(farm.map((x) => x / 1000), 2)}; raw TCP ${(tcp.ms / 1000).toFixed(2)} s; includes dispatch, the agent's cache move and the task; agent = ${cliCommand('farmhand-agent').reason}`,
      }),
      row({
        bench: 'transfer',
        metric: 'second job, same input: input bytes sent',
        unit: 'bytes',
        measured: counter.binaryBytes,
        goal: { op: '==', value: 0 },
        note: `${counter.binaryFrames} file-chunk frames; ${counter.wireBytes()} bytes in total on the socket (control messages, pings); input ${cachedOk ? 'present' : 'MISSING'} in the agent's cache`,
      }),
      row({ bench: 'transfer', metric: 'second job, same input: submit → succeeded', unit: 's', measured: round(secondMs / 1000, 4), note: 'the transfer is skipped: ≈ one dispatch' }),
      row({ bench: 'transfer', metric: 'sha256 of the 500 MiB input on the controller (describeFile)', unit: 's', measured: round(hashMs / 1000, 3), note: `${Math.round(mbps(hashMs))} MB/s; paid once per input when a job is created` }),
    );
    return rows;
  } finally {
    for (const cleanup of cleanups.reverse()) await cleanup().catch(() => undefined);
    await scratch.cleanup();
  }
}

if (process.argv[1]?.endsWith('transfer.ts')) {
  const args = process.argv.slice(2);
  const roundsAt = args.indexOf('--rounds');
  const waysAt = args.indexOf('--ways'); // e.g. --ways channel,tls: only those, no rows (with --detail)
  const { prepareCli, killRemainingChildren } = await import('./lib/processes.js');
  process.env.FARMHAND_MDNS_INTERFACE = '127.0.0.1';
  try {
    if (!args.includes('--channel-only')) await prepareCli();
    const rows = await run({ channelOnly: args.includes('--channel-only'), rounds: roundsAt === -1 ? undefined : Number(args[roundsAt + 1]), ways: waysAt === -1 ? undefined : (args[waysAt + 1]!.split(',') as Way[]) });
    if (args.includes('--detail')) {
      for (const [way, list] of Object.entries(lastRuns)) console.log(`${way.padEnd(8)} ${list.map((t) => `${mbps(t.ms).toFixed(0)} MB/s (cpu ${t.senderCpu.toFixed(2)} [sys ${t.senderSystem.toFixed(2)}] + ${t.receiverCpu.toFixed(2)} [sys ${t.receiverSystem.toFixed(2)}])`).join('  ')}`);
    }
    for (const r of rows) console.log(`${r.metric}\n  measured ${r.measured} ${r.unit}${r.baseline != null ? `, baseline ${r.baseline}, ratio ${r.ratio}` : ''}${r.pass != null ? (r.pass ? ' PASS' : ' FAIL') : ''}\n  ${r.note ?? ''}`);
  } finally {
    killRemainingChildren();
  }
  process.exit(0);
}
