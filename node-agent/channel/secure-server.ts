import { createServer, type Server } from 'node:https';
import type { Socket } from 'node:net';
import type { TLSSocket } from 'node:tls';
import { WebSocketServer, type WebSocket } from 'ws';
import { MAX_FRAME_BYTES } from '../protocol/constants.js';
import { LogLimiter } from './log-limiter.js';
import { agentRefusalText, classifyTlsFailure, tlsServerOptions } from './tls-psk.js';

/**
 * The agent's listening side of the secure channel: TLS-PSK (tls-psk.ts) with the WebSocket
 * server inside it. Only a peer that completed the TLS handshake, and so holds the farm key,
 * ever reaches the WebSocket layer; before that, nothing it sends is parsed by Farmhand.
 *
 * What an unauthenticated address can cost is bounded: a few connections at a time per
 * address and in all, a few seconds to finish the handshake, and a few log lines per window
 * (a flood is summed up in one line, see log-limiter.ts).
 */

export interface SecureServerLimits {
  /** Connections from one address still in their TLS handshake; more are cut at once. */
  pendingPerAddress: number;
  /** Connections from all addresses still in their TLS handshake. */
  pendingTotal: number;
  /** Time to complete the TLS handshake and the WebSocket upgrade. */
  handshakeMs: number;
}

export const DEFAULT_SECURE_SERVER_LIMITS: SecureServerLimits = { pendingPerAddress: 8, pendingTotal: 64, handshakeMs: 5000 };

export interface PeerInfo {
  /** `address:port` of the peer. */
  remote: string;
  /** The controller's id as it gave it in the upgrade request (for logs; the key is the authentication). */
  controllerId: string;
}

export interface SecureServerOptions {
  farmKey: string;
  host: string;
  port: number;
  /** A peer that proved the farm key and opened the WebSocket. */
  onPeer(ws: WebSocket, peer: PeerInfo): void;
  /** Lines about refused peers arrive here, rate-limited per address. */
  log(line: string): void;
  limits?: Partial<SecureServerLimits>;
}

export interface SecureServer {
  port: number;
  /** The WebSocket server (its clients are the connected controllers). */
  wss: WebSocketServer;
  /** Connections still in their TLS handshake (for tests of the limits). */
  pendingCount(): number;
  close(): Promise<void>;
}

/** The header a controller names itself in (the upgrade request travels inside TLS). */
export const CONTROLLER_ID_HEADER = 'x-farmhand-controller';

export async function listenSecure(o: SecureServerOptions): Promise<SecureServer> {
  const limits = { ...DEFAULT_SECURE_SERVER_LIMITS, ...o.limits };
  const logs = new LogLimiter(o.log);
  const foreignIdentity = new WeakMap<object, string>();
  const options = tlsServerOptions(o.farmKey);
  const pskCallback = options.pskCallback!;
  const server: Server = createServer({
    ...options,
    // Remember which protocol an unknown identity named, to say so when the handshake fails.
    pskCallback: (socket, identity) => {
      const psk = pskCallback(socket, identity);
      if (psk === null) foreignIdentity.set(socket, identity.slice(0, 64));
      return psk;
    },
    handshakeTimeout: limits.handshakeMs,
    requestTimeout: limits.handshakeMs,
    headersTimeout: limits.handshakeMs,
    // Node checks those two timeouts only every 30 s by default: a key holder dribbling its
    // upgrade request held a connection for up to 35 s (measured by test/integration/fuzz-agent.test.ts).
    connectionsCheckingInterval: Math.min(1000, limits.handshakeMs),
    maxHeaderSize: 8 * 1024,
  }, (_request, response) => {
    // A key holder that sent a plain request: only the WebSocket upgrade is served here.
    response.writeHead(426, { 'content-type': 'text/plain', connection: 'close' }).end('A Farmhand agent speaks WebSocket only.\n');
  });
  server.maxConnections = limits.pendingTotal + 16;

  // Connections still in their TLS handshake, by address: bounded per address and in all.
  const pending = new Map<string, Set<Socket>>();
  let pendingTotal = 0;
  const settle = (socket: Socket) => {
    const address = socket.remoteAddress ?? '?';
    const set = pending.get(address);
    if (!set?.delete(socket)) return;
    pendingTotal--;
    if (set.size === 0) pending.delete(address);
  };
  server.on('connection', (socket: Socket) => {
    const address = socket.remoteAddress ?? '?';
    const set = pending.get(address) ?? new Set<Socket>();
    if (set.size >= limits.pendingPerAddress || pendingTotal >= limits.pendingTotal) {
      logs.note(address, `refused a connection from ${address}: too many connections still authenticating (at most ${limits.pendingPerAddress} per address, ${limits.pendingTotal} in all)`);
      socket.destroy();
      return;
    }
    set.add(socket);
    pending.set(address, set);
    pendingTotal++;
    socket.once('close', () => settle(socket));
    socket.on('error', () => undefined); // a reset peer: 'close' follows
  });
  server.on('secureConnection', (tls: TLSSocket) => {
    // The TLS socket wraps the TCP one; they share the peer's address and port.
    for (const socket of pending.get(tls.remoteAddress ?? '?') ?? []) {
      if (socket.remotePort === tls.remotePort) settle(socket);
    }
  });
  server.on('tlsClientError', (error: NodeJS.ErrnoException, tls: TLSSocket) => {
    // A peer that hung up mid-handshake (a port scan, or a connection cut above) is not worth a line.
    if (error.code === 'ECONNRESET' || error.code === 'EPIPE') return;
    // A socket that timed out is already destroyed and has forgotten its peer; the TCP socket it wraps (`_parent`) knows it.
    const tcp = (tls as unknown as { _parent?: Socket })._parent;
    const address = tls.remoteAddress ?? tcp?.remoteAddress ?? '?';
    const refusal = classifyTlsFailure(error);
    const remote = `${address}:${tls.remotePort ?? tcp?.remotePort ?? '?'}`;
    logs.note(address, refusal ? agentRefusalText(remote, refusal, foreignIdentity.get(tls))
      : error.code === 'ERR_TLS_HANDSHAKE_TIMEOUT' ? `refused ${remote}: it did not finish the TLS handshake within ${limits.handshakeMs / 1000} s`
        : `refused ${remote}: ${describeTlsError(error)}`);
  });
  server.on('clientError', (_error, socket: Socket) => socket.destroy());

  const wss = new WebSocketServer({ server, maxPayload: MAX_FRAME_BYTES, perMessageDeflate: false });
  wss.on('error', () => undefined); // ws re-emits the server's errors; listen() reports them
  wss.on('connection', (ws, request) => {
    const header = request.headers[CONTROLLER_ID_HEADER];
    const controllerId = (typeof header === 'string' ? header : '?').slice(0, 128).replace(/[^A-Za-z0-9._:-]/g, '?');
    o.onPeer(ws, { remote: `${request.socket.remoteAddress}:${request.socket.remotePort}`, controllerId });
  });

  const port = await new Promise<number>((resolve, reject) => {
    const onError = (error: NodeJS.ErrnoException) => {
      reject(error.code === 'EADDRINUSE'
        ? new Error(`Port ${o.port} on ${o.host} is already in use; stop the other agent or pass --port to pick another.`)
        : error);
    };
    server.once('error', onError);
    server.listen(o.port, o.host, () => {
      server.off('error', onError);
      server.on('error', (error) => o.log(`agent server error: ${error.message}`));
      resolve((server.address() as { port: number }).port);
    });
  });

  return {
    port,
    wss,
    pendingCount: () => pendingTotal,
    async close() {
      for (const client of wss.clients) client.terminate();
      await new Promise<void>((resolve) => wss.close(() => resolve()));
      server.closeAllConnections?.();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      logs.flush();
    },
  };
}

/** OpenSSL's message without its file and line. */
function describeTlsError(error: NodeJS.ErrnoException): string {
  const reason = /:SSL routines:[^:]*:([^:]+)/.exec(error.message)?.[1];
  return `TLS handshake failed (${reason ?? error.code ?? error.message.slice(0, 80)})`;
}
