import { z } from 'zod';
import type { ApiErrorCode, ApiEvent } from './contract.js';

/**
 * The frames of the API's WebSocket transport, shared by the server and every client (Node
 * or browser: this file imports only zod and the contract's types). Each frame is one JSON
 * text message, checked against these schemas on receipt. The commands themselves are the
 * contract's; this only carries `{ command, params }` one way and a result or error back.
 *
 *   client → server   auth { token }                 first, within a few seconds
 *                     request { id, command, params }
 *   server → client   auth.ok { serverVersion } | auth.refused { reason } (then close 4001)
 *                     response { id, ok, result | error }
 *                     events { events }               batched, latest per job/task/agent
 *                     error { error }                 a frame that could not be read
 */

/** Version of this framing and the contract; a client may refuse a server that speaks another. */
export const API_VERSION = '1';

/** Close codes of the API socket (4000–4999 are the application's). */
export const API_CLOSE_CODES = {
  /** Wrong or missing token, or a request before authenticating. */
  refused: 4001,
  /** No auth frame within the auth timeout. */
  authTimeout: 4002,
  /** The client reads events too slowly; reconnect and list again. */
  tooSlow: 4003,
} as const;

/** Largest frame either side accepts (ws `maxPayload`); a larger one closes the socket with 1009. */
export const API_MAX_FRAME_BYTES = 1024 * 1024;

export const API_PATH = '/api';

export const RequestIdSchema = z.union([z.string().max(64), z.number().int().min(0).max(Number.MAX_SAFE_INTEGER)]);
export type RequestId = z.infer<typeof RequestIdSchema>;

export const ClientFrameSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('auth'), token: z.string().max(512) }),
  z.object({ type: z.literal('request'), id: RequestIdSchema, command: z.string().min(1).max(128), params: z.unknown().optional() }),
]);
export type ClientFrame = z.infer<typeof ClientFrameSchema>;

const errorBody = z.object({ code: z.string().max(64), message: z.string().max(2000) });

/**
 * Results and events are the contract's types; here they are only checked to be present. The
 * client reads these frames by hand (read-server-frame.ts, held to this schema by its test), so
 * the browser bundle carries no zod.
 */
export const ServerFrameSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('auth.ok'), serverVersion: z.string() }),
  z.object({ type: z.literal('auth.refused'), reason: z.string() }),
  z.object({ type: z.literal('response'), id: RequestIdSchema, ok: z.boolean(), result: z.unknown().optional(), error: errorBody.optional() })
    .refine((r) => r.ok || r.error !== undefined, 'a failed response carries an error'),
  z.object({ type: z.literal('events'), events: z.array(z.object({ kind: z.string() }).passthrough()) }),
  z.object({ type: z.literal('error'), error: errorBody }),
]);

export type ServerFrame =
  | { type: 'auth.ok'; serverVersion: string }
  | { type: 'auth.refused'; reason: string }
  | { type: 'response'; id: RequestId; ok: true; result: unknown }
  | { type: 'response'; id: RequestId; ok: false; error: { code: ApiErrorCode; message: string } }
  | { type: 'events'; events: ApiEvent[] }
  | { type: 'error'; error: { code: ApiErrorCode; message: string } };
