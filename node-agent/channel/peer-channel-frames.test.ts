import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { WebSocket } from 'ws';
import { generateFarmKey } from '../protocol/farm-key.js';
import { PeerChannel, type IncomingFile } from './peer-channel.js';
import { connectSecure } from './secure-client.js';
import { listenSecure } from './secure-server.js';

/**
 * sendFile's frames each fill one TLS record, so the receiving ws gets every frame whole in one
 * read and copies nothing (peer-channel.ts; the receiver's CPU per file fell by a third). The
 * receiving TLS socket's reads are the evidence: one full 16 KiB record each. Checked both
 * ways, since a client's WebSocket header is 4 bytes longer (its masking key) than a server's.
 */

/** The most plaintext one TLS record holds, and what the receiving socket reads at most per record. */
const RECORD = 16 * 1024;

test('file frames fill whole TLS records in both directions, and the files arrive intact', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'fh-frames-'));
  const farmKey = generateFarmKey();
  let accept!: (ws: WebSocket) => void;
  const accepted = new Promise<WebSocket>((resolve) => (accept = resolve));
  const server = await listenSecure({ farmKey, host: '127.0.0.1', port: 0, log: () => undefined, onPeer: (ws) => accept(ws) });
  const client = connectSecure(`wss://127.0.0.1:${server.port}`, { farmKey, controllerId: 'ctl-frames' });
  try {
    await new Promise<void>((resolve, reject) => {
      client.once('open', () => resolve());
      client.once('error', reject);
    });
    const open = (name: string) => async () => ({ tempPath: join(dir, `${name}-${randomBytes(4).toString('hex')}`) });
    const controller = new PeerChannel(client, { openIncoming: open('c') });
    const agent = new PeerChannel(await accepted, { openIncoming: open('a') });

    const data = randomBytes(6 * 1024 * 1024 + 777);
    const source = join(dir, 'source.bin');
    await writeFile(source, data);
    const ref = { sha256: createHash('sha256').update(data).digest('hex'), size: data.length, name: 'source.bin' };

    for (const [name, from, to] of [['controller → agent', controller, agent], ['agent → controller', agent, controller]] as const) {
      // What the receiving TLS socket read, and which binary messages ws handed on as views of those reads.
      const reads = new WeakSet<ArrayBufferLike>();
      let messages = 0;
      let uncopied = 0;
      const socket = (to.ws as unknown as { _socket: NodeJS.EventEmitter })._socket;
      const onRead = (chunk: Buffer) => {
        if (chunk.length === RECORD) reads.add(chunk.buffer);
      };
      const onMessage = (message: Buffer, isBinary: boolean) => {
        if (!isBinary) return;
        messages++;
        if (reads.has(message.buffer)) uncopied++;
      };
      socket.prependListener('data', onRead);
      to.ws.on('message', onMessage);
      const arrived = new Promise<IncomingFile>((resolve) => to.once('file', resolve));
      await from.sendFile(source, ref);
      const file = await arrived;
      socket.off('data', onRead);
      to.ws.off('message', onMessage);
      assert.ok((await readFile(file.tempPath)).equals(data), `${name}: the file arrived intact`);
      assert.ok(messages >= data.length / RECORD, `${name}: ${messages} frames for ${data.length} bytes; expected one per record`);
      assert.ok(uncopied >= messages - 2, `${name}: ${uncopied} of ${messages} frames arrived whole in one TLS record`);
    }
  } finally {
    client.terminate();
    await server.close();
    await rm(dir, { recursive: true, force: true });
  }
});
