import type { ClientOptions } from 'ws';
import { ApiConnectionError, ApiError, type ApiErrorCode } from './api-errors.js';
import type { RequestId } from './api-wire.js';
import type { ApiCommand, ApiEvent, ApiParams, ApiResult } from './contract.js';
import { readServerFrame } from './read-server-frame.js';

/**
 * A typed client of the controller service over WebSocket: `call('jobs.get', { jobId })`
 * returns the contract's result type, or throws the server's ApiError (code + sentence).
 * The protocol handling only needs the browser's WebSocket API (open/message/close/error
 * events, send, close), so the same code runs in a browser; in Node it uses the ws package,
 * whose errors say why a connection failed (nothing listening, host unreachable, not an API).
 * It is typed without Node's types (no Buffer, process or NodeJS names), and takes only the
 * contract's types and ApiError, so the renderer type-checks and bundles it as web code
 * (without zod: server frames are read by read-server-frame.ts).
 */

/** The part of the browser WebSocket API the client uses; ws's WebSocket has it too. */
export interface WebSocketLike {
  readonly readyState: number;
  send(data: string): void;
  close(code?: number, reason?: string): void;
  addEventListener(type: 'open', listener: () => void): void;
  addEventListener(type: 'message', listener: (event: { data: unknown }) => void): void;
  addEventListener(type: 'close', listener: (event: { code: number; reason: string }) => void): void;
  addEventListener(type: 'error', listener: (event: { error?: unknown; message?: string }) => void): void;
}

export interface ConnectOptions {
  /** Give up connecting and authenticating after this long (default 5000 ms). */
  connectTimeoutMs?: number;
  /** Give up on one request after this long (default: wait as long as the connection lives). */
  requestTimeoutMs?: number;
  /** Opens the socket; default: the ws package in Node, the global WebSocket in a browser. */
  createSocket?: (url: string) => WebSocketLike | Promise<WebSocketLike>;
  /** Where the right token is, said when the server refuses ours (e.g. "use the one in ~/.farmhand/api-token or pass --token"). */
  tokenHint?: string;
  /**
   * Node only: the PEM certificate(s) to trust for a wss:// controller instead of the system's
   * (a self-signed controller certificate, or the studio's own certificate authority); text
   * or bytes (a Node Buffer is a Uint8Array).
   */
  ca?: string | Uint8Array;
  /** How to make this client trust the controller's certificate, said when it does not (e.g. "pass it with --ca FILE"). */
  trustHint?: string;
}

export interface ApiClient {
  readonly url: string;
  readonly serverVersion: string;
  call<C extends ApiCommand>(command: C, params: ApiParams<C>): Promise<ApiResult<C>>;
  /** Receives each batch of events the server pushes; returns the unsubscribe. */
  onEvents(listener: (events: ApiEvent[]) => void): () => void;
  /** Called once when the connection ends for any reason other than close(). */
  onClose(listener: (error: ApiConnectionError) => void): () => void;
  close(): Promise<void>;
}

export { ApiConnectionError, type ConnectionProblem } from './api-errors.js';

const OPEN = 1;

export async function connectApi(url: string, token: string, o: ConnectOptions = {}): Promise<ApiClient> {
  const connectTimeoutMs = o.connectTimeoutMs ?? 5000;
  const socket = await Promise.resolve()
    .then(() => (o.createSocket ?? defaultSocket(connectTimeoutMs, o.ca))(url))
    .catch((error: Error) => {
      // A malformed URL throws at construction, in ws and in browsers alike.
      throw new ApiConnectionError('not-an-api', `"${url}" is not a usable WebSocket URL (${error.message}); give the controller as ws://HOST:PORT/api.`);
    });
  const pending = new Map<RequestId, { resolve(result: unknown): void; reject(error: Error): void; timer?: ReturnType<typeof setTimeout> }>();
  const eventListeners = new Set<(events: ApiEvent[]) => void>();
  const closeListeners = new Set<(error: ApiConnectionError) => void>();
  let nextId = 1;
  let closing = false;
  let closed = false;
  let failure: ApiConnectionError | null = null;
  let onClosed: () => void = () => undefined;

  const serverVersion = await new Promise<string>((resolve, reject) => {
    let settled = false;
    const fail = (error: Error) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      reject(error);
      socket.close();
    };
    const timer = setTimeout(() => fail(new ApiConnectionError('timeout', `The controller at ${url} did not answer within ${Math.round(connectTimeoutMs / 1000)} s; check the address and that \`farmhand controller\` runs there.`)), connectTimeoutMs);
    socket.addEventListener('open', () => socket.send(JSON.stringify({ type: 'auth', token })));
    socket.addEventListener('error', (event) => fail(connectionError(url, event, o.trustHint)));
    socket.addEventListener('close', (event) => {
      closed = true;
      onClosed();
      if (!settled) return fail(new ApiConnectionError('closed', `The controller at ${url} closed the connection before it was ready (${describeClose(event)}); try again.`));
      failure ??= new ApiConnectionError('closed', `The connection to the controller at ${url} closed (${describeClose(event)}); run the command again once it is back.`);
      for (const p of pending.values()) {
        if (p.timer) clearTimeout(p.timer);
        p.reject(failure);
      }
      pending.clear();
      if (!closing) for (const listener of closeListeners) listener(failure);
    });
    socket.addEventListener('message', (event) => {
      const frame = readServerFrame(event.data);
      if (!frame) return;
      if (!settled) {
        if (frame.type === 'auth.ok') {
          settled = true;
          clearTimeout(timer);
          return resolve(frame.serverVersion);
        }
        if (frame.type === 'auth.refused') return fail(new ApiError('unauthorized', `The controller refused the token; ${o.tokenHint ?? 'use the one in the controller\'s data folder (api-token)'}.`));
        return;
      }
      if (frame.type === 'response') {
        const p = pending.get(frame.id);
        if (!p) return;
        pending.delete(frame.id);
        if (p.timer) clearTimeout(p.timer);
        if (frame.ok) p.resolve(frame.result);
        else p.reject(new ApiError(frame.error!.code as ApiErrorCode, frame.error!.message));
      } else if (frame.type === 'events') {
        const events = frame.events as unknown as ApiEvent[];
        for (const listener of eventListeners) listener(events);
      }
    });
  });

  return {
    url,
    serverVersion,
    call(command, params) {
      if (closed || socket.readyState !== OPEN) {
        return Promise.reject(failure ?? new ApiConnectionError('closed', `The connection to the controller at ${url} is closed; connect again.`));
      }
      const id = nextId++;
      return new Promise((resolve, reject) => {
        const entry: { resolve(result: unknown): void; reject(error: Error): void; timer?: ReturnType<typeof setTimeout> } = { resolve: resolve as (r: unknown) => void, reject };
        if (o.requestTimeoutMs) {
          entry.timer = setTimeout(() => {
            pending.delete(id);
            reject(new ApiConnectionError('timeout', `The controller at ${url} did not answer ${command} within ${Math.round(o.requestTimeoutMs! / 1000)} s; it may be overloaded, try again.`));
          }, o.requestTimeoutMs);
        }
        pending.set(id, entry);
        socket.send(JSON.stringify({ type: 'request', id, command, params }));
      });
    },
    onEvents(listener) {
      eventListeners.add(listener);
      return () => void eventListeners.delete(listener);
    },
    onClose(listener) {
      closeListeners.add(listener);
      return () => void closeListeners.delete(listener);
    },
    close() {
      closing = true;
      if (closed) return Promise.resolve();
      return new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, 1000); // a server that never answers the close frame
        onClosed = () => {
          clearTimeout(timer);
          resolve();
        };
        socket.close(1000, 'client done');
      });
    },
  };
}

function defaultSocket(timeoutMs: number, ca: string | Uint8Array | undefined): (url: string) => Promise<WebSocketLike> {
  return async (url) => {
    const BrowserSocket = (globalThis as { WebSocket?: new (url: string) => WebSocketLike }).WebSocket;
    const inNode = typeof (globalThis as { process?: { versions?: { node?: string } } }).process?.versions?.node === 'string';
    if (!inNode && BrowserSocket) return new BrowserSocket(url);
    // Node: the ws package (Node 20 has no global WebSocket), which reports why a connection failed.
    const { WebSocket } = await import('ws');
    return new WebSocket(url, { handshakeTimeout: timeoutMs, perMessageDeflate: false, maxPayload: 256 * 1024 * 1024, ...(ca !== undefined ? { ca: ca as ClientOptions['ca'] } : {}) }) as unknown as WebSocketLike;
  };
}

/** OpenSSL's verdicts on a server certificate this client does not accept. */
const UNTRUSTED_CERTIFICATE = new Set([
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'UNABLE_TO_GET_ISSUER_CERT',
  'CERT_UNTRUSTED',
  'CERT_SIGNATURE_FAILURE',
]);

/** Why the connection could not be made, as one sentence with the fix (ws gives the system error; a browser gives none). */
function connectionError(url: string, event: { error?: unknown; message?: string }, trustHint = 'make this machine trust it'): ApiConnectionError {
  const error = event.error as { code?: string; message?: string } | undefined;
  const code = error?.code;
  if (code && UNTRUSTED_CERTIFICATE.has(code)) {
    return new ApiConnectionError('unreachable', `The controller at ${url} presents a certificate this machine does not trust (${code}); ${trustHint}.`);
  }
  if (code === 'ERR_TLS_CERT_ALTNAME_INVALID') {
    return new ApiConnectionError('unreachable', `The controller's certificate is not made out to the host in ${url}; connect by a name or address the certificate lists, or give the controller a certificate for this one.`);
  }
  if (code === 'CERT_HAS_EXPIRED' || code === 'CERT_NOT_YET_VALID') {
    return new ApiConnectionError('unreachable', `The controller at ${url} presents a certificate that is not valid now (${code}); renew the certificate given to --tls-cert.`);
  }
  if (url.startsWith('wss:') && (code === 'EPROTO' || /wrong version number|packet length too long/i.test(error?.message ?? ''))) {
    return new ApiConnectionError('not-an-api', `The controller at ${url} does not speak TLS; connect with ${url.replace(/^wss:/, 'ws:')}, or start it with --tls-cert and --tls-key.`);
  }
  if (url.startsWith('ws:') && (code === 'ECONNRESET' || /socket hang up/i.test(error?.message ?? ''))) {
    return new ApiConnectionError('not-an-api', `The controller at ${url} hung up on the connection (${code ?? 'socket hang up'}), as one serving TLS does to a plain one; if it serves TLS, connect with ${url.replace(/^ws:/, 'wss:')}.`);
  }
  if (code === 'ECONNREFUSED') return new ApiConnectionError('not-running', `No Farmhand controller is running at ${url}; start one with \`farmhand controller\`.`);
  if (code === 'ENOTFOUND' || code === 'EAI_AGAIN' || code === 'EHOSTUNREACH' || code === 'ENETUNREACH' || code === 'ETIMEDOUT') {
    return new ApiConnectionError('unreachable', `The controller at ${url} cannot be reached (${code}); check the host name and the network.`);
  }
  const message = error?.message ?? event.message ?? '';
  if (/Unexpected server response|Opening handshake has timed out|Invalid WebSocket frame/i.test(message)) {
    return new ApiConnectionError('not-an-api', `${url} is not a Farmhand controller's API (${message}); check the URL, e.g. ws://127.0.0.1:7400/api.`);
  }
  return new ApiConnectionError('unreachable', `Could not connect to ${url}${message ? ` (${message})` : ''}; check that \`farmhand controller\` runs there.`);
}

function describeClose(event: { code: number; reason: string }): string {
  return event.reason ? `${event.code}: ${event.reason}` : `code ${event.code}`;
}
