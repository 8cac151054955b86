import { randomBytes } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { open, readdir, rm, stat } from 'node:fs/promises';
import { createConnection, type Socket } from 'node:net';
import { join } from 'node:path';
import type { Controller } from '../electron/controller/create-controller.js';
import { newJob, newJobId, newTask } from '../electron/controller/jobs/new-job.js';
import { describeFile, generateFarmKey, type FileRef } from '../node-agent/protocol/index.js';
import { spawnAgent, startBenchController, waitOnline, type AgentProcess } from './lib/farm.js';
import { cliCommand, freePort, ROOT, startChild, waitForPort } from './lib/processes.js';
import { row, round, type Row } from './lib/row.js';
import { childEnv, scratchDir, withTimeout } from './lib/scratch.js';
import { median } from './lib/stats.js';

/** What this benchmark does, for BENCHMARKS.md. */
export const about =
  'A 500 MiB file is the input of one no-op task (job built with newJob/newTask, inputFiles = the file); the controller (bench process) sends it to an agent process on loopback; time = submit → task succeeded. Baselines in the same run, with the same bytes over a plain `net` socket to a receiver process: (fair) hashing sha256 and writing to disk like the agent, (transport only) discarding. 3 rounds, fresh agent each; medians. Then a second job with the same input on the agent that has it cached: binary (file-chunk) frames written by the controller are counted by wrapping that connection\'s `ws.send`, and the socket\'s bytesWritten is read.';

/**
 * Input transfer: a 500 MiB file as the input of one no-op task, sent by the controller (this
 * process) to an agent in its own process on loopback, timed from submit to the task's
 * success (request, stream with back-pressure, hash check on arrival, into the cache).
 * Baselines in the same run, to a receiver in its own process over a plain `net` socket with
 * the same bytes: (fair) the receiver hashes and writes to disk like the agent; (transport
 * only) it discards them. Three rounds, each with a fresh agent; medians.
 * Then a second job with the same input on the agent that has it: the input bytes sent
 * (binary file-chunk frames, counted on the controller's socket) must be 0.
 */

const MIB = 1024 * 1024;
const SIZE = 500 * MIB;
const ROUNDS = 3;
const TIMEOUT_MS = 120_000;

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

/** Sends the file over a plain TCP connection; resolves when the receiver confirmed every byte. */
async function rawSend(port: number, path: string): Promise<{ ms: number; reply: string }> {
  const started = performance.now();
  const socket: Socket = createConnection({ host: '127.0.0.1', port });
  await new Promise<void>((resolve, reject) => {
    socket.once('connect', () => resolve());
    socket.once('error', reject);
  });
  let reply = '';
  socket.on('data', (d: Buffer) => (reply += d.toString()));
  const answered = new Promise<void>((resolve, reject) => {
    socket.once('close', () => resolve());
    socket.once('error', reject);
  });
  createReadStream(path, { highWaterMark: MIB }).pipe(socket);
  await withTimeout(answered, TIMEOUT_MS, 'the raw TCP transfer');
  return { ms: performance.now() - started, reply: reply.trim() };
}

async function rawBaseline(mode: 'disk' | 'null', input: string, out: string, home: string, sha256: string): Promise<number> {
  const port = await freePort();
  const sink = startChild(process.execPath, ['--import', 'tsx', join(ROOT, 'bench/lib/tcp-sink.ts'), String(port), mode, out], { cwd: ROOT, env: childEnv(home) });
  try {
    await waitForPort(port, sink, 20_000);
    const { ms, reply } = await rawSend(port, input);
    const [bytes, hash] = reply.split(' ');
    if (Number(bytes) !== SIZE || (mode === 'disk' && hash !== sha256)) throw new Error(`the raw ${mode} receiver answered "${reply}"`);
    return ms;
  } finally {
    await sink.stop();
    await rm(out, { force: true });
  }
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

export async function run(): Promise<Row[]> {
  const scratch = await scratchDir('transfer');
  const farmKey = generateFarmKey();
  const cleanups: (() => Promise<unknown>)[] = [];
  try {
    const input = join(scratch.dir, 'input.bin');
    await makeInput(input);
    const hashStarted = performance.now();
    const ref = { ...(await describeFile(input, 'input.bin')) };
    const hashMs = performance.now() - hashStarted;

    const farm: number[] = [];
    const rawDisk: number[] = [];
    const rawNull: number[] = [];
    let agent: AgentProcess | null = null;
    let controller: Controller | null = null;
    for (let i = 0; i < ROUNDS; i++) {
      rawDisk.push(await rawBaseline('disk', input, join(scratch.dir, 'raw-received.bin'), scratch.home, ref.sha256));
      rawNull.push(await rawBaseline('null', input, join(scratch.dir, 'raw-null.bin'), scratch.home, ref.sha256));
      const dataDir = join(scratch.dir, `agent-${i}`);
      agent = await spawnAgent({ farmKey, dataDir, home: scratch.home, slots: 1 });
      const a = agent;
      cleanups.push(() => a.stop());
      controller = await startBenchController({ home: join(scratch.dir, `ctl-${i}`), farmKey, agentUrls: [agent.url], persist: true });
      const c = controller;
      cleanups.push(() => c.close());
      await waitOnline(controller, 1);
      farm.push(await runJob(controller, ref, input, join(scratch.dir, 'out')));
      if (i < ROUNDS - 1) {
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
    const cached = join(scratch.dir, `agent-${ROUNDS - 1}`, 'inputs');
    const cachedFiles = await readdir(cached).catch(() => [] as string[]);
    const cachedOk = cachedFiles.includes(ref.sha256) && (await stat(join(cached, ref.sha256))).size === SIZE;

    const mbps = (ms: number) => SIZE / 1e6 / (ms / 1000);
    const f = median(farm);
    const d = median(rawDisk);
    const n = median(rawNull);
    const list = (ms: number[]) => ms.map((x) => (x / 1000).toFixed(2)).join(', ');
    return [
      row({
        bench: 'transfer',
        metric: '500 MiB input to an agent vs raw TCP (receiver hashes + writes to disk)',
        unit: 's',
        measured: round(f / 1000, 3),
        baseline: round(d / 1000, 3),
        baselineLabel: 'raw net socket → process that hashes and writes, like the agent',
        note: `farm ${Math.round(mbps(f))} MB/s vs raw ${Math.round(mbps(d))} MB/s; medians of ${ROUNDS}: farm (s) ${list(farm)}, raw (s) ${list(rawDisk)}; farm time = submit → task succeeded; agent = ${cliCommand('farmhand-agent').reason}`,
      }),
      row({
        bench: 'transfer',
        metric: '500 MiB input to an agent vs raw TCP to /dev/null (transport only)',
        unit: 's',
        measured: round(f / 1000, 3),
        baseline: round(n / 1000, 3),
        baselineLabel: 'raw net socket → process that discards',
        note: `raw to /dev/null ${Math.round(mbps(n))} MB/s; runs (s) ${list(rawNull)}`,
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
    ];
  } finally {
    for (const cleanup of cleanups.reverse()) await cleanup().catch(() => undefined);
    await scratch.cleanup();
  }
}
