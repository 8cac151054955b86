import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { WebSocket } from 'ws';
import { generateFarmKey } from '../protocol/farm-key.js';
import { PeerChannel, type IncomingFile } from './peer-channel.js';
import { connectSecure } from './secure-client.js';
import { listenSecure } from './secure-server.js';
import { classifyTlsFailure } from './tls-psk.js';
import type { Message } from '../protocol/messages.js';
import { encodeChunkHeader, STREAM_HEADER_BYTES } from '../protocol/binary-frame.js';

/** A real secure channel on loopback: `agent` is the server side, `controller` the client. */
async function pair(dir: string, keys: { agent: string; controller: string } = sameKey()) {
  const logs: string[] = [];
  let serverSide!: (ws: WebSocket) => void;
  const accepted = new Promise<WebSocket>((r) => (serverSide = r));
  const server = await listenSecure({ farmKey: keys.agent, host: '127.0.0.1', port: 0, log: (l) => logs.push(l), onPeer: (ws) => serverSide(ws) });
  const client = connectSecure(`wss://127.0.0.1:${server.port}`, { farmKey: keys.controller, controllerId: 'ctl-1' });
  const open = (path: string) => async () => ({ tempPath: join(dir, `${path}-${randomBytes(4).toString('hex')}`) });
  const controller = new PeerChannel(client, { openIncoming: open('c') });
  const opened = new Promise<void>((resolve, reject) => {
    client.once('open', () => resolve());
    client.once('error', reject);
  });
  return {
    logs,
    server,
    controller,
    opened,
    agent: async () => new PeerChannel(await accepted, { openIncoming: open('a') }),
    close: async () => {
      client.terminate();
      await server.close();
    },
  };
}

function sameKey() {
  const key = generateFarmKey();
  return { agent: key, controller: key };
}

test('with the same farm key the channel opens, and files cross intact with their hash checked', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'fh-peer-'));
  const p = await pair(dir);
  try {
    await p.opened;
    const agent = await p.agent();
    const received: Message[] = [];
    agent.onMessage = (m) => received.push(m);

    const data = randomBytes(20 * 1024 * 1024 + 123); // several chunks and a ragged tail
    const source = join(dir, 'source.bin');
    await writeFile(source, data);
    const sha256 = createHash('sha256').update(data).digest('hex');
    const controller = p.controller;
    const arrived = new Promise<IncomingFile>((r) => agent.once('file', r));
    await controller.sendFile(source, { sha256, size: data.length, name: 'source.bin' });
    const file = await arrived;
    assert.equal(file.begin.file.sha256, sha256);
    assert.ok((await readFile(file.tempPath)).equals(data));

    // A file whose bytes do not match its announced hash never reaches the receiver as a file.
    const failed = new Promise<string>((r) => agent.once('fileFailed', (_b, reason) => r(reason)));
    await controller.sendFile(source, { sha256: 'b'.repeat(64), size: data.length, name: 'liar.bin' });
    assert.match(await failed, /sha256 mismatch/);

    // An invalid message is answered with an error and dropped; the channel keeps working.
    const errorReply = new Promise<Message>((r) => (controller.onMessage = r));
    controller.ws.send('{"type":"task.assign","taskId":"../x"}');
    const reply = await errorReply;
    assert.equal(reply.type, 'error');
    controller.send({ type: 'task.cancel', taskId: 't1', attempt: 1 });
    await new Promise((r) => setTimeout(r, 50));
    assert.deepEqual(received.at(-1), { type: 'task.cancel', taskId: 't1', attempt: 1 });
  } finally {
    await p.close();
    await rm(dir, { recursive: true, force: true });
  }
});

test('a controller with another farm key never opens the channel, and both sides say why', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'fh-peer-'));
  const p = await pair(dir, { agent: generateFarmKey(), controller: generateFarmKey() });
  try {
    const error = await p.opened.then(() => assert.fail('must not open'), (e: NodeJS.ErrnoException) => e);
    assert.equal(classifyTlsFailure(error), 'wrong-key');
    await waitFor(() => p.logs.length > 0);
    assert.match(p.logs[0]!, /^refused 127\.0\.0\.1:\d+: a controller with a different farm key \(start this agent with the key shown by `farmhand key`/);
  } finally {
    await p.close();
    await rm(dir, { recursive: true, force: true });
  }
});

test('nested or oversized JSON closes nothing but is refused; a flood of invalid messages closes the connection', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'fh-peer-'));
  const p = await pair(dir);
  try {
    await p.opened;
    const agent = await p.agent();
    const invalid: string[] = [];
    agent.on('invalid', (error) => invalid.push(error));
    const replies: Message[] = [];
    p.controller.onMessage = (m) => replies.push(m);
    // The frame that crashed agents before: a type made of 10,000 nested lists.
    p.controller.ws.send('{"type":' + '['.repeat(10_000) + ']'.repeat(10_000) + '}');
    p.controller.ws.send('{"type":[1],"x":1}');
    await waitFor(() => invalid.length === 2);
    assert.match(invalid[0]!, /nests deeper than 16 levels/);
    assert.match(invalid[1]!, /invalid "\(a list\)" message/);
    assert.equal(replies.filter((m) => m.type === 'error').length, 2);
    const closed = new Promise<number>((r) => agent.once('close', (code) => r(code)));
    for (let i = 0; i < 150; i++) p.controller.ws.send('not json');
    assert.equal(await closed, 4005);
    assert.equal(invalid.length, 100, 'what the peer sends after the cut-off is not read');
    await waitFor(() => replies.length >= 10);
    assert.equal(replies.length, 10, 'only the first ten invalid messages are answered');
  } finally {
    await p.close();
    await rm(dir, { recursive: true, force: true });
  }
});

test('a stream that runs past its announced size is cut at once and leaves no file', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'fh-peer-'));
  const p = await pair(dir);
  try {
    await p.opened;
    const agent = await p.agent();
    const failed = new Promise<string>((r) => agent.once('fileFailed', (_b, reason) => r(reason)));
    p.controller.send({ type: 'file.begin', streamId: 7, file: { sha256: 'a'.repeat(64), size: 1000, name: 'x.bin' } });
    const frame = Buffer.alloc(STREAM_HEADER_BYTES + 64 * 1024);
    encodeChunkHeader(7).copy(frame, 0);
    for (let i = 0; i < 20; i++) p.controller.ws.send(frame, { binary: true });
    assert.equal(await failed, 'received more than the announced 1000 bytes');
    await new Promise((r) => setTimeout(r, 100));
    assert.deepEqual((await readdir(dir)).filter((n) => n.startsWith('a-')), []);
  } finally {
    await p.close();
    await rm(dir, { recursive: true, force: true });
  }
});

async function waitFor(check: () => boolean, ms = 5000): Promise<void> {
  const until = Date.now() + ms;
  while (!check()) {
    if (Date.now() > until) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 10));
  }
}
