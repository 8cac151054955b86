import { WebSocket } from 'ws';
import { MAX_FRAME_BYTES } from '../protocol/constants.js';
import { CONTROLLER_ID_HEADER } from './secure-server.js';
import { tlsClientOptions } from './tls-psk.js';

/**
 * The controller's side of the secure channel: a WebSocket inside TLS-PSK to an agent.
 * Agent addresses are written `wss://host:port`; `ws://` (how they were written before the
 * channel was encrypted) is accepted and means the same, since there is no plain channel.
 */
export function connectSecure(url: string, o: { farmKey: string; controllerId: string; handshakeTimeoutMs?: number }): WebSocket {
  return new WebSocket(url.replace(/^ws:\/\//i, 'wss://'), {
    ...tlsClientOptions(o.farmKey),
    headers: { [CONTROLLER_ID_HEADER]: o.controllerId },
    perMessageDeflate: false,
    handshakeTimeout: o.handshakeTimeoutMs ?? 5000,
    maxPayload: MAX_FRAME_BYTES,
    // An all-zero masking key: ws then neither masks what it sends nor unmasks on the agent's
    // side. Masking (RFC 6455 §10.3) guards proxies against script in a browser choosing the
    // bytes on the wire; the controller is no browser, everything is inside TLS anyway, and the
    // XOR of every byte both ways was a third of the cost of sending an input (BENCHMARKS.md).
    generateMask: (mask) => void mask.fill(0),
  });
}
