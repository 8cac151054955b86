import type { ApiEvent } from './contract.js';
import type { RequestId, ServerFrame } from './api-wire.js';

/**
 * Reads one frame the server sent on the API socket, for the client (api-client.ts). It checks
 * by hand what ServerFrameSchema (api-wire.ts) checks, with the same bounds, so the client and
 * with it the browser bundle carry no schema library; read-server-frame.test.ts holds the two
 * to the same answers. A frame that is none of the server's shapes is dropped (null).
 */
export function readServerFrame(data: unknown): ServerFrame | null {
  if (typeof data !== 'string') return null;
  let frame: unknown;
  try {
    frame = JSON.parse(data);
  } catch {
    return null;
  }
  if (!isRecord(frame)) return null;
  switch (frame.type) {
    case 'auth.ok':
      return typeof frame.serverVersion === 'string' ? { type: 'auth.ok', serverVersion: frame.serverVersion } : null;
    case 'auth.refused':
      return typeof frame.reason === 'string' ? { type: 'auth.refused', reason: frame.reason } : null;
    case 'response': {
      const { id, ok, result, error } = frame;
      if (!isRequestId(id) || typeof ok !== 'boolean' || (error !== undefined && !isErrorBody(error))) return null;
      if (ok) return { type: 'response', id, ok, result };
      return error === undefined ? null : { type: 'response', id, ok, error };
    }
    case 'events':
      return Array.isArray(frame.events) && frame.events.every((e) => isRecord(e) && typeof e.kind === 'string') ? { type: 'events', events: frame.events as ApiEvent[] } : null;
    case 'error':
      return isErrorBody(frame.error) ? { type: 'error', error: frame.error } : null;
    default:
      return null;
  }
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function isRequestId(value: unknown): value is RequestId {
  return (typeof value === 'string' && value.length <= 64) || (Number.isInteger(value) && (value as number) >= 0 && (value as number) <= Number.MAX_SAFE_INTEGER);
}

function isErrorBody(value: unknown): value is Extract<ServerFrame, { type: 'error' }>['error'] {
  return isRecord(value) && typeof value.code === 'string' && value.code.length <= 64 && typeof value.message === 'string' && value.message.length <= 2000;
}
