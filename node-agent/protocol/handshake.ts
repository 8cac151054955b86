import { CLOSE_CODES, PROTOCOL_VERSION } from './constants.js';
import { newNonce, proveKey, verifyKeyProof } from './farm-key.js';
import type { PeerChannel } from './peer-channel.js';

/**
 * Mutual authentication, the first frames of every connection. The agent (server) speaks
 * first with a nonce; the controller answers with its proof and its own nonce; the agent
 * checks, then proves itself. Neither side accepts anything else until this is done, and a
 * peer without the key is told why and disconnected.
 */

export const HANDSHAKE_TIMEOUT_MS = 5000;

export class AuthError extends Error {
  override name = 'AuthError';
}

/** Agent side. `onAuthenticated` runs synchronously on success: install the session's message handler there. */
export function runAgentHandshake(
  channel: PeerChannel,
  o: { farmKey: string; agentId: string; onAuthenticated(controllerId: string): void },
): Promise<string> {
  return new Promise((resolve, reject) => {
    const nonce = newNonce();
    const fail = (reason: string, tellPeer: string) => {
      clearTimeout(timer);
      channel.onMessage = () => undefined;
      channel.send({ type: 'auth.refused', reason: tellPeer });
      channel.close(CLOSE_CODES.authFailed, tellPeer);
      reject(new AuthError(reason));
    };
    const timer = setTimeout(() => fail('the controller did not authenticate in time', 'authentication timed out'), HANDSHAKE_TIMEOUT_MS);
    channel.onMessage = (message) => {
      if (message.type !== 'auth.response') {
        return fail(`a peer sent "${message.type}" before authenticating`, 'authenticate first: nothing is accepted before the farm-key handshake');
      }
      if (message.protocolVersion !== PROTOCOL_VERSION) {
        return fail(`a controller speaking protocol ${message.protocolVersion} was refused (this agent speaks ${PROTOCOL_VERSION})`,
          `this agent speaks Farmhand protocol ${PROTOCOL_VERSION}, the controller ${message.protocolVersion}; update one of them`);
      }
      if (!verifyKeyProof(o.farmKey, 'controller', nonce, message.proof)) {
        return fail('a controller with a different farm key was refused',
          'this agent belongs to a different farm: its farm key does not match yours; start the agent with the key shown by `farmhand key`');
      }
      clearTimeout(timer);
      channel.send({ type: 'auth.accepted', proof: proveKey(o.farmKey, 'agent', message.nonce) });
      o.onAuthenticated(message.controllerId);
      resolve(message.controllerId);
    };
    channel.on('close', () => {
      clearTimeout(timer);
      reject(new AuthError('the connection closed during authentication'));
    });
    channel.send({ type: 'auth.challenge', protocolVersion: PROTOCOL_VERSION, agentId: o.agentId, nonce });
  });
}

/** Controller side. `onAuthenticated` runs synchronously on success: install the session's message handler there. */
export function runControllerHandshake(
  channel: PeerChannel,
  o: { farmKey: string; controllerId: string; onAuthenticated(agentId: string): void },
): Promise<string> {
  return new Promise((resolve, reject) => {
    const nonce = newNonce();
    let agentId = '';
    let settled = false;
    const fail = (reason: string, code: number = CLOSE_CODES.authFailed) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      channel.onMessage = () => undefined;
      channel.close(code, reason);
      reject(new AuthError(reason));
    };
    const timer = setTimeout(() => fail('the agent did not complete authentication within 5 s'), HANDSHAKE_TIMEOUT_MS);
    channel.onMessage = (message) => {
      switch (message.type) {
        case 'auth.challenge':
          if (agentId) return fail('the agent sent a second challenge');
          if (message.protocolVersion !== PROTOCOL_VERSION) {
            return fail(`the agent speaks Farmhand protocol ${message.protocolVersion} and this controller ${PROTOCOL_VERSION}; update one of them`, CLOSE_CODES.protocolMismatch);
          }
          agentId = message.agentId;
          channel.send({ type: 'auth.response', protocolVersion: PROTOCOL_VERSION, proof: proveKey(o.farmKey, 'controller', message.nonce), nonce, controllerId: o.controllerId });
          return;
        case 'auth.refused':
          return fail(`the agent refused this controller: ${message.reason}`);
        case 'auth.accepted':
          if (!agentId) return fail('the agent skipped its challenge');
          if (!verifyKeyProof(o.farmKey, 'agent', nonce, message.proof)) {
            return fail('the agent could not prove it holds this farm\'s key; it belongs to another farm or is an impostor');
          }
          settled = true;
          clearTimeout(timer);
          o.onAuthenticated(agentId);
          resolve(agentId);
          return;
        default:
          return fail(`the agent sent "${message.type}" before authenticating`);
      }
    };
    channel.on('close', (code, reason) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      reject(new AuthError(reason || `the connection closed during authentication (code ${code})`));
    });
  });
}
