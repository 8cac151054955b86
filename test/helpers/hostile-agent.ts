import { createHash, randomBytes } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { WebSocket } from 'ws';
import { encodeChunkHeader, FILE_CHUNK_BYTES, type FileRef, type Message, type MessageOf } from '../../node-agent/protocol/index.js';
import { listenSecure, PeerChannel } from '../../node-agent/channel/index.js';

/**
 * An agent that holds the farm key and speaks the wire contract, but lies about what it made:
 * the adversary of test/integration/hostile-agent.test.ts. It is built only on the protocol's
 * public exports, as the real agent is (node-agent/agent-server.ts), and does exactly what the
 * test's `behave` tells it for each assignment: honest files, files under other names, sizes
 * that are not what it sends, streams that never end, `task.done` with whatever outputs.
 */

/**
 * The agent's listening side, in one place: the real agent's secure server (TLS-PSK with the
 * WebSocket inside), so the controller reaches this agent exactly as it reaches a real one.
 */
async function listenAsAgent(farmKey: string, onController: (ws: WebSocket) => void): Promise<{ url: string; close(): Promise<void> }> {
  const server = await listenSecure({ farmKey, host: '127.0.0.1', port: 0, onPeer: (ws) => onController(ws), log: () => undefined });
  return { url: `wss://127.0.0.1:${server.port}`, close: () => server.close() };
}

export type TaskKey = { taskId: string; attempt: number };

/** What a behaviour can make the agent do for one assignment. */
export interface HostilePeer {
  send(message: Message): void;
  /** A file exactly as announced, sent while the task runs or when fetched. */
  sendFile(task: TaskKey, name: string, bytes: Buffer): Promise<FileRef>;
  /**
   * A `file.begin` that may lie, then `bytes` in chunks, then `file.end` unless `end` is false.
   * `announce` overrides the size and hash the begin states (default: those of `bytes`).
   */
  sendLie(task: TaskKey, o: { name: string; bytes: Buffer; announce?: Partial<Pick<FileRef, 'size' | 'sha256'>>; end?: boolean }): Promise<void>;
  /** Runs `send` whenever the controller fetches this attempt's outputs (`output.fetch`). */
  onFetch(task: TaskKey, send: () => Promise<void>): void;
}

export type Behaviour = (assign: MessageOf<'task.assign'>, peer: HostilePeer) => Promise<void>;

export interface HostileAgent {
  url: string;
  agentId: string;
  /** Every message the controller sent, in order. */
  received: Message[];
  /** What to do with each `task.assign`; set by the test. */
  behave: Behaviour;
  /** Resolves once the controller sent a message matching `match` (already received ones count). */
  waitFor(match: (m: Message) => boolean, what: string, timeoutMs?: number): Promise<Message>;
  close(): Promise<void>;
}

export const HOSTILE_AGENT_NAME = 'hostile';

export function fileRef(name: string, bytes: Buffer): FileRef {
  return { name, size: bytes.length, sha256: createHash('sha256').update(bytes).digest('hex') };
}

export async function startHostileAgent(farmKey: string): Promise<HostileAgent> {
  const scratch = await mkdtemp(join(tmpdir(), 'fh-hostile-'));
  const agentId = `hostile-${randomBytes(4).toString('hex')}`;
  const received: Message[] = [];
  const fetchers = new Map<string, () => Promise<void>>();
  const waiters = new Set<() => void>();
  let nextStreamId = 0x40000000; // far from the channel's own ids
  let files = 0;
  const channels = new Set<PeerChannel>();

  const agent: HostileAgent = {
    url: '',
    agentId,
    received,
    behave: async () => undefined,
    waitFor(match, what, timeoutMs = 15_000) {
      return new Promise((resolve, reject) => {
        const check = () => {
          const found = received.find(match);
          if (!found) return false;
          clearTimeout(timer);
          waiters.delete(check as () => void);
          resolve(found);
          return true;
        };
        const timer = setTimeout(() => {
          waiters.delete(check as () => void);
          reject(new Error(`the hostile agent waited ${timeoutMs} ms for ${what}; it received ${received.map((m) => m.type).join(', ')}`));
        }, timeoutMs);
        if (!check()) waiters.add(check as () => void);
      });
    },
    async close() {
      for (const channel of channels) channel.close(4004, 'hostile agent closing');
      await server.close();
      await rm(scratch, { recursive: true, force: true });
    },
  };

  const onController = (ws: WebSocket) => {
    // It takes no files from the controller: a lying agent needs no scene to lie about a render.
    const channel = new PeerChannel(ws, { openIncoming: async () => ({ refuse: 'this agent takes no inputs' }) });
    channels.add(channel);
    channel.on('close', () => channels.delete(channel));
    const peer: HostilePeer = {
      send: (message) => void channel.send(message),
      async sendFile(task, name, bytes) {
        const path = join(scratch, `file-${files++}`);
        await writeFile(path, bytes);
        const ref = fileRef(name, bytes);
        await channel.sendFile(path, ref, task);
        return ref;
      },
      async sendLie(task, o) {
        const streamId = nextStreamId++;
        const file = { ...fileRef(o.name, o.bytes), ...o.announce };
        channel.send({ type: 'file.begin', streamId, file, task });
        for (let at = 0; at < o.bytes.length && channel.isOpen; at += FILE_CHUNK_BYTES) {
          await new Promise<void>((resolve) => ws.send(Buffer.concat([encodeChunkHeader(streamId), o.bytes.subarray(at, at + FILE_CHUNK_BYTES)]), { binary: true }, () => resolve()));
        }
        if (o.end !== false) channel.send({ type: 'file.end', streamId });
      },
      onFetch(task, send) {
        fetchers.set(`${task.taskId}#${task.attempt}`, send);
      },
    };
    channel.onMessage = (message) => {
      received.push(message);
      for (const waiter of [...waiters]) waiter();
      if (message.type === 'task.assign') void agent.behave(message, peer).catch(() => undefined);
      if (message.type === 'output.fetch') void fetchers.get(`${message.taskId}#${message.attempt}`)?.().catch(() => undefined);
    };
    channel.send({
      type: 'agent.hello',
      agentId,
      name: HOSTILE_AGENT_NAME,
      hostname: 'hostile.local',
      slots: 1,
      tags: [],
      capabilities: { blender: { path: '/usr/bin/blender', version: '3.4.1' }, ffmpeg: null, cores: 2, memoryBytes: 2 ** 33, platform: 'linux', taskTypes: ['blender'] },
      running: [],
      held: [],
    });
  };

  const server = await listenAsAgent(farmKey, onController);
  agent.url = server.url;
  return agent;
}
