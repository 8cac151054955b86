import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { WebSocket, WebSocketServer } from 'ws';
import { generateFarmKey } from './farm-key.js';
import { runAgentHandshake, runControllerHandshake } from './handshake.js';
import { PeerChannel, type IncomingFile } from './peer-channel.js';
import type { Message } from './messages.js';

/** A real WebSocket pair on loopback: `agent` is the server side, `controller` the client. */
async function pair(dir: string) {
  const wss = new WebSocketServer({ host: '127.0.0.1', port: 0, perMessageDeflate: false });
  await new Promise((r) => wss.once('listening', r));
  const port = (wss.address() as { port: number }).port;
  const serverSide = new Promise<WebSocket>((r) => wss.once('connection', r));
  const client = new WebSocket(`ws://127.0.0.1:${port}`, { perMessageDeflate: false });
  const opened = new Promise((r) => client.once('open', r));
  const open = (path: string) => async () => ({ tempPath: join(dir, `${path}-${randomBytes(4).toString('hex')}`) });
  const controller = new PeerChannel(client, { openIncoming: open('c') });
  const agent = new PeerChannel(await serverSide, { openIncoming: open('a') });
  await opened;
  return { agent, controller, close: () => { client.terminate(); wss.close(); } };
}

test('both sides prove the key, then files cross intact with their hash checked', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'fh-peer-'));
  const { agent, controller, close } = await pair(dir);
  try {
    const key = generateFarmKey();
    const received: Message[] = [];
    const [controllerId, agentId] = await Promise.all([
      runAgentHandshake(agent, { farmKey: key, agentId: 'agent-1', onAuthenticated: () => (agent.onMessage = (m) => received.push(m)) }),
      runControllerHandshake(controller, { farmKey: key, controllerId: 'ctl-1', onAuthenticated: () => undefined }),
    ]);
    assert.equal(controllerId, 'ctl-1');
    assert.equal(agentId, 'agent-1');

    const data = randomBytes(20 * 1024 * 1024 + 123); // several chunks and a ragged tail
    const source = join(dir, 'source.bin');
    await writeFile(source, data);
    const sha256 = createHash('sha256').update(data).digest('hex');
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
    close();
    await rm(dir, { recursive: true, force: true });
  }
});

test('a controller with another farm key is refused and both sides say why', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'fh-peer-'));
  const { agent, controller, close } = await pair(dir);
  try {
    const results = await Promise.allSettled([
      runAgentHandshake(agent, { farmKey: generateFarmKey(), agentId: 'agent-1', onAuthenticated: () => assert.fail('must not authenticate') }),
      runControllerHandshake(controller, { farmKey: generateFarmKey(), controllerId: 'ctl-1', onAuthenticated: () => assert.fail('must not authenticate') }),
    ]);
    assert.equal(results[0].status, 'rejected');
    assert.match(String((results[0] as PromiseRejectedResult).reason.message), /different farm key/);
    assert.equal(results[1].status, 'rejected');
    assert.match(String((results[1] as PromiseRejectedResult).reason.message), /refused this controller: this agent belongs to a different farm/);
  } finally {
    close();
    await rm(dir, { recursive: true, force: true });
  }
});

test('a peer that skips authentication gets nothing', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'fh-peer-'));
  const { agent, controller, close } = await pair(dir);
  try {
    const agentSide = runAgentHandshake(agent, { farmKey: generateFarmKey(), agentId: 'agent-1', onAuthenticated: () => assert.fail('must not authenticate') });
    const refusal = new Promise<Message>((r) => (controller.onMessage = (m) => m.type === 'auth.refused' && r(m)));
    controller.send({ type: 'task.assign', taskId: 't', attempt: 1, jobId: 'j', inputs: [], timeoutMs: 1000, spec: { type: 'noop' } });
    await assert.rejects(agentSide, /before authenticating/);
    assert.match((await refusal as { reason: string }).reason, /authenticate first/);
  } finally {
    close();
    await rm(dir, { recursive: true, force: true });
  }
});
