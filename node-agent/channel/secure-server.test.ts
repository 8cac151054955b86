import { test } from 'node:test';
import assert from 'node:assert/strict';
import { connect, type Socket } from 'node:net';
import { WebSocket, WebSocketServer } from 'ws';
import { generateFarmKey } from '../protocol/farm-key.js';
import { PROTOCOL_VERSION } from '../protocol/constants.js';
import { connectSecure } from './secure-client.js';
import { listenSecure, type SecureServer } from './secure-server.js';
import { classifyTlsFailure, controllerRefusalText, deriveTlsPsk, tlsClientOptions } from './tls-psk.js';

/** Opens the channel to `port` and returns how it ended: 'open' or the refusal it was classified as. */
function dial(url: string, o: { farmKey: string; identity?: string }): Promise<string> {
  const ws = o.identity
    ? new WebSocket(url, { ...tlsClientOptions(o.farmKey), ...forgedIdentity(o.farmKey, o.identity) })
    : connectSecure(url, { farmKey: o.farmKey, controllerId: 'ctl-test' });
  return new Promise((resolve) => {
    ws.once('open', () => {
      ws.terminate();
      resolve('open');
    });
    ws.once('error', (error) => resolve(classifyTlsFailure(error) ?? `unclassified: ${error.message}`));
  });
}

/** The PSK callback of a peer presenting another identity (another protocol version) with the right key. */
function forgedIdentity(farmKey: string, identity: string) {
  return { pskCallback: () => ({ psk: deriveTlsPsk(farmKey), identity }) };
}

async function serve(farmKey: string, limits?: Parameters<typeof listenSecure>[0]['limits']) {
  const logs: string[] = [];
  const peers: WebSocket[] = [];
  const server = await listenSecure({ farmKey, host: '127.0.0.1', port: 0, limits, log: (l) => logs.push(l), onPeer: (ws) => peers.push(ws) });
  return { server, logs, peers, url: `wss://127.0.0.1:${server.port}` };
}

async function waitFor(check: () => boolean, ms = 5000): Promise<void> {
  const until = Date.now() + ms;
  while (!check()) {
    if (Date.now() > until) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 10));
  }
}

test('a peer of another protocol version is told so on both sides, by its PSK identity', async () => {
  const key = generateFarmKey();
  const s = await serve(key);
  try {
    assert.equal(await dial(s.url, { farmKey: key }), 'open');
    const other = PROTOCOL_VERSION + 1;
    assert.equal(await dial(s.url, { farmKey: key, identity: `farmhand/${other}` }), 'other-protocol');
    await waitFor(() => s.logs.length === 1);
    assert.equal(s.logs[0]!.replace(/:\d+:/, ':PORT:'), `refused 127.0.0.1:PORT: a controller speaking Farmhand protocol ${other} (this agent speaks ${PROTOCOL_VERSION}); update one of them`);
  } finally {
    await s.server.close();
  }
});

test('an agent of protocol 2 (plain WebSocket) gets "upgrade this agent", not a hang', async () => {
  const old = new WebSocketServer({ host: '127.0.0.1', port: 0 });
  await new Promise((r) => old.once('listening', r));
  try {
    const url = `wss://127.0.0.1:${(old.address() as { port: number }).port}`;
    const refusal = await dial(url, { farmKey: generateFarmKey() });
    assert.equal(refusal, 'no-tls');
    assert.match(controllerRefusalText(url, 'no-tls'), /runs an older Farmhand without the encrypted channel \(protocol 2 or earlier\); upgrade this agent$/);
  } finally {
    await new Promise((r) => old.close(r));
  }
});

test('a controller of protocol 2 (plain WebSocket) gets no frame, and the agent says why', async () => {
  const s = await serve(generateFarmKey());
  try {
    const plain = new WebSocket(s.url.replace('wss://', 'ws://'));
    const frames: unknown[] = [];
    plain.on('message', (m) => frames.push(m));
    await new Promise<void>((resolve) => {
      plain.once('error', () => resolve());
      plain.once('close', () => resolve());
    });
    assert.deepEqual(frames, []);
    assert.equal(s.peers.length, 0);
    await waitFor(() => s.logs.length === 1);
    assert.match(s.logs[0]!, /a controller without the encrypted channel \(protocol 2 or earlier\); upgrade that controller/);
  } finally {
    await s.server.close();
  }
});

test('connections that never finish the handshake are bounded per address, cut after the limit, and logged a few lines at a time', async () => {
  const s = await serve(generateFarmKey(), { pendingPerAddress: 4, pendingTotal: 16, handshakeMs: 400 });
  const sockets: Socket[] = [];
  const closedAt: number[] = [];
  try {
    const started = Date.now();
    for (let i = 0; i < 30; i++) {
      const socket = connect(s.server.port, '127.0.0.1');
      socket.on('error', () => undefined);
      socket.on('close', () => closedAt.push(Date.now() - started));
      sockets.push(socket);
    }
    await waitFor(() => closedAt.length >= 26);
    assert.equal(s.server.pendingCount(), 4, 'four silent connections wait for their handshake');
    await waitFor(() => closedAt.length === 30, 3000);
    assert.ok(closedAt.slice(-4).every((t) => t >= 350), `the last four were cut by the handshake limit (${closedAt.slice(-4).join(', ')} ms)`);
    assert.equal(s.server.pendingCount(), 0);
    assert.ok(s.logs.length <= 6, `at most a few log lines for 26 refusals (got ${s.logs.length}: ${s.logs.join(" | ")})`);
    assert.match(s.logs[0]!, /too many connections still authenticating \(at most 4 per address, 16 in all\)/);
    // The server still serves a real peer.
    assert.equal(await dial(s.url, { farmKey: 'x' }), 'wrong-key');
  } finally {
    for (const socket of sockets) socket.destroy();
    await s.server.close();
  }
});
