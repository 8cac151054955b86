import { jsonDepthWithin, MAX_JSON_DEPTH } from '../../../node-agent/protocol/json-shape.js';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createSecureServer, type Server as SecureServer } from 'node:https';
import { DEFAULT_API_PORT } from './api-defaults.js';
import type { AddressInfo } from 'node:net';
import { WebSocketServer, type RawData, type WebSocket } from 'ws';
import { callCommand } from './api-dispatch.js';
import { ApiEventBatcher } from './api-event-batcher.js';
import { tokensEqual } from './api-token.js';
import { API_CLOSE_CODES, API_MAX_FRAME_BYTES, API_PATH, API_VERSION, ClientFrameSchema, RequestIdSchema, type ClientFrame, type RequestId, type ServerFrame } from './api-wire.js';
import { ApiError, type ApiEvent, type FarmApi } from './contract.js';

/**
 * The controller service over WebSocket, for the CLI and for a browser pointed at a headless
 * controller. An HTTP server carries it so the desktop UI's static files are served from the
 * same port (`/` the UI, `/api` this socket); with a certificate it is HTTPS and WSS, so the
 * token and the traffic can cross a network without being read. Every client proves it holds
 * the API token before anything else; every frame is size-capped and schema-checked; a bad
 * frame gets an error and the connection (and the server) carries on.
 */

export interface ApiServerOptions {
  api: FarmApi;
  /** Subscribes to the service's events (FarmService.onEvent); returns the unsubscribe. */
  onEvent?: (listener: (event: ApiEvent) => void) => () => void;
  token: string;
  /** Default 127.0.0.1: the API is reachable from this machine only unless asked otherwise. */
  host?: string;
  /** Default 7400; 0 lets the OS pick (see ApiServer.port). */
  port?: number;
  serverVersion?: string;
  /** A client that has not authenticated by then is closed (default 5000 ms). */
  authTimeoutMs?: number;
  /** Least time between two event batches (default 100 ms). */
  eventIntervalMs?: number;
  /** Largest incoming frame (default 1 MB); a larger one closes that socket with 1009. */
  maxFrameBytes?: number;
  /** A client with more than this much unsent is too slow to follow the farm and is closed (default 16 MB). */
  maxBufferedBytes?: number;
  /**
   * PEM certificate (chain) and private key: serve HTTPS/WSS instead of plain HTTP/WS. Needed
   * beyond loopback, where the token would otherwise cross the network in clear.
   */
  tls?: { cert: string | Buffer; key: string | Buffer };
  /** Answers plain HTTP requests (the desktop UI's files, later); default: 404 for everything. */
  onHttpRequest?: (request: IncomingMessage, response: ServerResponse) => void;
}

export interface ApiServer {
  /** The WebSocket URL clients connect to, with the real port (wss:// when serving TLS). */
  url: string;
  host: string;
  port: number;
  /** True when serving HTTPS/WSS (a certificate was given). */
  secure: boolean;
  http: Server | SecureServer;
  /** Authenticated clients connected now. */
  readonly clientCount: number;
  close(): Promise<void>;
}

export { DEFAULT_API_PORT } from './api-defaults.js';

export async function startApiServer(o: ApiServerOptions): Promise<ApiServer> {
  const host = o.host ?? '127.0.0.1';
  const port = o.port ?? DEFAULT_API_PORT;
  const authTimeoutMs = o.authTimeoutMs ?? 5000;
  const maxBufferedBytes = o.maxBufferedBytes ?? 16 * 1024 * 1024;
  const serverVersion = o.serverVersion ?? API_VERSION;
  const clients = new Set<WebSocket>();

  const http = o.tls ? secureServer(o.tls, o.onHttpRequest ?? notFound) : createServer(o.onHttpRequest ?? notFound);
  const wss = new WebSocketServer({ server: http, path: API_PATH, maxPayload: o.maxFrameBytes ?? API_MAX_FRAME_BYTES, perMessageDeflate: false });
  wss.on('error', () => undefined); // ws re-emits the http server's errors; listen() below reports them

  const batcher = new ApiEventBatcher({
    intervalMs: o.eventIntervalMs,
    onBatch(events) {
      if (clients.size === 0) return;
      const frame = JSON.stringify({ type: 'events', events } satisfies ServerFrame);
      for (const ws of clients) {
        // Events are coalesced, so a client that cannot keep up has already lost states; make it start over.
        if (ws.bufferedAmount > maxBufferedBytes) ws.close(API_CLOSE_CODES.tooSlow, 'too slow to follow events; reconnect');
        else ws.send(frame);
      }
    },
  });
  const unsubscribe = o.onEvent?.((event) => batcher.push(event)) ?? (() => undefined);

  wss.on('connection', (ws) => {
    let authenticated = false;
    const send = (frame: ServerFrame) => ws.readyState === ws.OPEN && ws.send(JSON.stringify(frame));
    const refuse = (code: number, reason: string) => {
      send({ type: 'auth.refused', reason });
      ws.close(code, reason.slice(0, 120)); // a close reason is capped at 123 bytes
    };
    const authTimer = setTimeout(() => refuse(API_CLOSE_CODES.authTimeout, `No token arrived within ${Math.round(authTimeoutMs / 1000)} s; send {"type":"auth","token":…} first.`), authTimeoutMs);
    ws.on('error', () => {
      // An oversized or broken frame: ws sends its close (1009/1002) but goes on reading, and
      // discarding, what the client sends for up to 30 s (before the token too: ~40 MB of RSS
      // in the fuzz test). Cut the socket a moment after the close frame is out (the moment lets the
      // client read why), as PeerChannel does.
      const socket = (ws as unknown as { _socket?: { once(event: 'finish', f: () => void): void; destroy(): void } })._socket;
      socket?.once('finish', () => setTimeout(() => socket.destroy(), CUT_AFTER_CLOSE_MS).unref());
    });
    ws.on('close', () => {
      clearTimeout(authTimer);
      clients.delete(ws);
    });
    ws.on('message', (data, isBinary) => {
      const frame = readFrame(data, isBinary);
      if (!authenticated) {
        if (frame.ok && frame.value.type === 'auth' && tokensEqual(frame.value.token, o.token)) {
          authenticated = true;
          clearTimeout(authTimer);
          clients.add(ws);
          send({ type: 'auth.ok', serverVersion });
        } else if (frame.ok && frame.value.type === 'auth') {
          refuse(API_CLOSE_CODES.refused, 'The API token is wrong; use the one in the controller\'s data folder (api-token).');
        } else {
          refuse(API_CLOSE_CODES.refused, 'Authenticate first: the first message must be {"type":"auth","token":…}.');
        }
        return;
      }
      if (!frame.ok) {
        const error = { code: 'bad-input' as const, message: frame.error };
        // A request with a readable id gets its own answer, so the caller is not left waiting.
        return void send(frame.id === undefined ? { type: 'error', error } : { type: 'response', id: frame.id, ok: false, error });
      }
      if (frame.value.type === 'auth') return void send({ type: 'error', error: { code: 'conflict', message: 'This connection is already authenticated; send requests.' } });
      const { id, command, params } = frame.value;
      callCommand(o.api, command, params).then(
        (result) => {
          const text = safeStringify({ type: 'response', id, ok: true, result });
          if (text !== null) return void (ws.readyState === ws.OPEN && ws.send(text));
          send({ type: 'response', id, ok: false, error: { code: 'internal', message: `The result of ${command} could not be encoded.` } });
        },
        (error: unknown) => {
          const e = error instanceof ApiError ? error : new ApiError('internal', 'The command failed unexpectedly.');
          send({ type: 'response', id, ok: false, error: { code: e.code, message: e.message } });
        },
      );
    });
  });

  try {
    await listen(http, host, port);
  } catch (error) {
    unsubscribe();
    batcher.close();
    wss.close();
    throw error;
  }
  const actualPort = (http.address() as AddressInfo).port;
  return {
    url: `${o.tls ? 'wss' : 'ws'}://${host.includes(':') ? `[${host}]` : host}:${actualPort}${API_PATH}`,
    host,
    port: actualPort,
    secure: o.tls !== undefined,
    http,
    get clientCount() {
      return clients.size;
    },
    async close() {
      batcher.flush();
      batcher.close();
      unsubscribe();
      for (const ws of wss.clients) ws.close(1001, 'controller shutting down');
      // Give the close frames a moment, then drop whatever is left.
      await new Promise((resolve) => setTimeout(resolve, 50).unref());
      for (const ws of wss.clients) ws.terminate();
      await new Promise<void>((resolve) => wss.close(() => resolve()));
      http.closeAllConnections();
      await new Promise<void>((resolve) => http.close(() => resolve()));
    },
  };
}

type FrameResult = { ok: true; value: ClientFrame } | { ok: false; error: string; id?: RequestId };

/** Parses and checks one incoming frame; the error is a sentence for the client. */
/** After a protocol error, how long the client has to read the close frame before its socket is cut. */
const CUT_AFTER_CLOSE_MS = 1000;

function readFrame(data: RawData, isBinary: boolean): FrameResult {
  if (isBinary) return { ok: false, error: 'Binary frames are not part of the API; send JSON text.' };
  const text = String(data);
  // Bounded before parsing, as on the agents' wire (json-shape.ts): a frame of nested brackets must not reach JSON.parse or zod.
  if (!jsonDepthWithin(text)) return { ok: false, error: `The message nests deeper than ${MAX_JSON_DEPTH} levels; send one flat JSON object per message.` };
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    return { ok: false, error: 'The message is not JSON; send one JSON object per message.' };
  }
  const parsed = ClientFrameSchema.safeParse(json);
  if (parsed.success) return { ok: true, value: parsed.data };
  const issue = parsed.error.issues[0];
  const where = issue?.path.length ? issue.path.join('.') : 'message';
  const id = RequestIdSchema.safeParse((json as { id?: unknown } | null)?.id);
  return { ok: false, ...(id.success ? { id: id.data } : {}), error: `The message is not a valid API frame (${where}: ${issue?.message ?? 'unreadable'}); send {"type":"request","id",…,"command",…,"params",…}.` };
}

function safeStringify(frame: ServerFrame): string | null {
  try {
    return JSON.stringify(frame);
  } catch {
    return null;
  }
}

function notFound(_request: IncomingMessage, response: ServerResponse): void {
  response.writeHead(404, { 'content-type': 'text/plain; charset=utf-8' });
  response.end(`Not found. The Farmhand API is a WebSocket at ${API_PATH}.\n`);
}

/** OpenSSL's reasons for refusing a certificate and key, in words. */
const TLS_SETUP_REASONS: Record<string, string> = {
  ERR_OSSL_X509_KEY_VALUES_MISMATCH: 'the key is not the certificate\'s own',
  ERR_OSSL_PEM_NO_START_LINE: 'a file is not in PEM form',
  ERR_OSSL_UNSUPPORTED: 'the key is not a PEM private key',
};

/**
 * An HTTPS server with the given certificate; a certificate and key that do not fit (or are not
 * PEM) are refused here, with the reason, before anything listens.
 */
function secureServer(tls: { cert: string | Buffer; key: string | Buffer }, handler: (request: IncomingMessage, response: ServerResponse) => void): SecureServer {
  let server: SecureServer;
  try {
    server = createSecureServer({ cert: tls.cert, key: tls.key }, handler);
  } catch (error) {
    const reason = TLS_SETUP_REASONS[(error as NodeJS.ErrnoException).code ?? ''] ?? String((error as Error).message).replace(/^error:[0-9A-F]+:/i, '').replace(/::/g, ': ');
    throw new Error(`The TLS certificate and key cannot be used (${reason}); give a PEM certificate with --tls-cert and its own private key with --tls-key.`);
  }
  // A client that fails the TLS handshake (a plain ws:// client, a scanner) only loses its own socket.
  server.on('tlsClientError', (_error, socket) => socket.destroy());
  return server;
}

function listen(http: Server | SecureServer, host: string, port: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const onError = (error: NodeJS.ErrnoException) => {
      http.off('listening', onListening);
      if (error.code === 'EADDRINUSE') reject(new Error(`Port ${port} on ${host} is already in use; stop the other controller or pass --port to pick another.`));
      else if (error.code === 'EADDRNOTAVAIL' || error.code === 'ENOTFOUND') reject(new Error(`${host} is not an address of this machine; pass --host with one of its addresses (or 127.0.0.1).`));
      else reject(error);
    };
    const onListening = () => {
      http.off('error', onError);
      resolve();
    };
    http.once('error', onError);
    http.once('listening', onListening);
    http.listen(port, host);
  });
}
