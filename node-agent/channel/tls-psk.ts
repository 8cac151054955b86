import { hkdfSync } from 'node:crypto';
import type { ConnectionOptions, TlsOptions } from 'node:tls';
import { PROTOCOL_VERSION } from '../protocol/constants.js';

/**
 * The controller ↔ agent channel is TLS 1.2 with a pre-shared key derived from the farm key,
 * and the WebSocket runs inside it. Every byte after the handshake is encrypted and
 * authenticated, so a relay between the two learns nothing and can change nothing, and a peer
 * without the key never gets past the handshake (turn 1's HMAC-over-nonces handshake ran in
 * the clear and nothing bound its proofs to the connection: a proxy could relay them).
 *
 * - ECDHE-PSK-CHACHA20-POLY1305: the PSK authenticates, the ephemeral ECDH gives forward
 *   secrecy (a key leaked later does not open a recorded session). TLS 1.3 external PSKs fail
 *   in Node 20 (checked, ../shared/notes/stack.md), so TLS 1.2 is pinned.
 * - The PSK is HKDF-SHA256 of the farm key, never the key itself: the TLS layer gets a key
 *   bound to this one use.
 * - The PSK identity names the protocol version. An agent that speaks another version finds no
 *   key for it and refuses with "unknown PSK identity", which each side turns into "upgrade".
 */

export const TLS_PSK_CIPHERS = 'ECDHE-PSK-CHACHA20-POLY1305';
const TLS_VERSION = 'TLSv1.2' as const;
const PSK_IDENTITY_PREFIX = 'farmhand/';

/** The identity a peer of this protocol version presents. */
export const PSK_IDENTITY = `${PSK_IDENTITY_PREFIX}${PROTOCOL_VERSION}`;

/**
 * The last farm key's PSK, kept in memory only (where the farm key itself is): a controller
 * opens one TLS connection per agent, and each derived it again on a `farmhand render`'s start.
 */
let lastDerived: { farmKey: string; psk: Buffer } | null = null;

/** The 32-byte TLS pre-shared key of a farm: HKDF-SHA256(farm key, salt, info), derived once per key and process. */
export function deriveTlsPsk(farmKey: string): Buffer {
  if (lastDerived?.farmKey !== farmKey) {
    lastDerived = { farmKey, psk: Buffer.from(hkdfSync('sha256', Buffer.from(farmKey, 'utf8'), 'farmhand farm key', `farmhand tls-psk v${PROTOCOL_VERSION}`, 32)) };
  }
  return Buffer.from(lastDerived.psk); // a copy: a caller that changes its buffer cannot change the next connection's key
}

/** Options for the agent's TLS server. */
export function tlsServerOptions(farmKey: string): TlsOptions {
  const psk = deriveTlsPsk(farmKey);
  return {
    ciphers: TLS_PSK_CIPHERS,
    minVersion: TLS_VERSION,
    maxVersion: TLS_VERSION,
    pskCallback: (_socket, identity) => {
      return identity === PSK_IDENTITY ? psk : null;
    },
  };
}

/** Options for the controller's TLS client (ws passes them on to `tls.connect`). */
export function tlsClientOptions(farmKey: string): ConnectionOptions {
  const psk = deriveTlsPsk(farmKey);
  return {
    ciphers: TLS_PSK_CIPHERS,
    minVersion: TLS_VERSION,
    maxVersion: TLS_VERSION,
    // There is no certificate: the PSK is the authentication.
    checkServerIdentity: () => undefined,
    pskCallback: () => ({ psk, identity: PSK_IDENTITY }),
  };
}

/** The protocol version a PSK identity names, or null when it is not a Farmhand identity. */
export function protocolOfIdentity(identity: string): number | null {
  if (!identity.startsWith(PSK_IDENTITY_PREFIX)) return null;
  const version = Number(identity.slice(PSK_IDENTITY_PREFIX.length));
  return Number.isSafeInteger(version) ? version : null;
}

export type TlsRefusal = 'wrong-key' | 'other-protocol' | 'no-tls' | 'not-tls-client';

/**
 * What a TLS failure means for the user, from OpenSSL's reason (measured on Node 20.20): each
 * side tells a wrong farm key from an older peer speaking without TLS. The reason is in the
 * error's code for a bare TLS socket, and only in its message when it comes through an HTTP
 * request (ws reports `EPROTO` with OpenSSL's text).
 */
export function classifyTlsFailure(error: { code?: string; message?: string }): TlsRefusal | null {
  const text = `${error.code ?? ''} ${error.message ?? ''}`.toLowerCase();
  // the controller: the agent could not decrypt its Finished (alert); the agent: it could not decrypt the controller's
  if (/bad_record_mac|bad record mac|decryption failed/.test(text)) return 'wrong-key';
  if (/unknown_psk_identity|unknown psk identity|psk_identity_not_found|psk identity not found/.test(text)) return 'other-protocol';
  // the controller: the answer was not TLS (an agent of protocol ≤ 2 answers in plain HTTP)
  if (/wrong_version_number|wrong version number/.test(text)) return 'no-tls';
  // the agent: a plain HTTP/WebSocket request (a controller of protocol ≤ 2)
  if (/err_ssl_http_request|:http request:/.test(text)) return 'not-tls-client';
  return null;
}

/** The sentence the controller shows for an agent it could not open a channel to. */
export function controllerRefusalText(url: string, refusal: TlsRefusal): string {
  switch (refusal) {
    case 'wrong-key':
      return `the agent at ${url} belongs to a different farm: its farm key does not match yours; start the agent with the key shown by \`farmhand key\``;
    case 'other-protocol':
      return `the agent at ${url} speaks another Farmhand protocol than this controller (${PROTOCOL_VERSION}); update the agent or the controller so both run the same Farmhand`;
    case 'no-tls':
      return `the agent at ${url} runs an older Farmhand without the encrypted channel (protocol 2 or earlier); upgrade this agent`;
    case 'not-tls-client':
      return `${url} answered as a TLS client; it is not a Farmhand agent`;
  }
}

/** The sentence the agent logs for a refused connection. */
export function agentRefusalText(remote: string, refusal: TlsRefusal, identity?: string): string {
  switch (refusal) {
    case 'wrong-key':
      return `refused ${remote}: a controller with a different farm key (start this agent with the key shown by \`farmhand key\` on the controller)`;
    case 'other-protocol': {
      const version = identity ? protocolOfIdentity(identity) : null;
      return `refused ${remote}: a controller speaking ${version === null ? 'another protocol' : `Farmhand protocol ${version}`} (this agent speaks ${PROTOCOL_VERSION}); update one of them`;
    }
    case 'not-tls-client':
      return `refused ${remote}: a controller without the encrypted channel (protocol 2 or earlier); upgrade that controller`;
    case 'no-tls':
      return `refused ${remote}: not a TLS peer`;
  }
}
