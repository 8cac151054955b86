import { randomBytes } from 'node:crypto';
import { createServer } from 'node:net';
import { connect as tlsConnect } from 'node:tls';
import fc from 'fast-check';
import { tlsClientOptions } from '../../node-agent/channel/index.js';

/**
 * What a fuzz test throws at a Farmhand peer: the corpus of issue 14 (the 20 KB nested frame
 * that once crashed agents and controllers, a real TLS ClientHello to truncate and garble, a
 * plain WebSocket upgrade) and fast-check generators of malformed and message-like frames.
 */

/** 20 KB of nested brackets: parses, then overflows the stack of anything that walks it recursively. */
export const NESTED_FRAME = '{"type":' + '['.repeat(10000) + ']'.repeat(10000) + '}';

/** The message types of the wire contract (node-agent/protocol/messages.ts), to make frames that look right. */
export const MESSAGE_TYPES = [
  'agent.hello', 'agent.capabilities', 'input.request', 'task.progress', 'task.log', 'task.done', 'task.failed', 'output.missing',
  'task.assign', 'task.cancel', 'output.fetch', 'output.ack', 'input.missing', 'input.prefetch', 'file.begin', 'file.end', 'file.abort', 'error',
] as const;

/** One client-to-server WebSocket frame (masked, as RFC 6455 requires of clients). */
export function wsClientFrame(payload: Buffer | string, opcode = 0x1): Buffer {
  const data = Buffer.from(payload);
  const mask = randomBytes(4);
  const length = data.length;
  const header = length < 126
    ? Buffer.from([0x80 | opcode, 0x80 | length])
    : length < 65536
      ? Buffer.from([0x80 | opcode, 0x80 | 126, length >> 8, length & 0xff])
      : Buffer.concat([Buffer.from([0x80 | opcode, 0x80 | 127]), bigEndian64(length)]);
  const masked = Buffer.allocUnsafe(length);
  for (let i = 0; i < length; i++) masked[i] = data[i]! ^ mask[i % 4]!;
  return Buffer.concat([header, mask, masked]);
}

function bigEndian64(n: number): Buffer {
  const b = Buffer.alloc(8);
  b.writeBigUInt64BE(BigInt(n));
  return b;
}

/** A plain (unencrypted) WebSocket upgrade request with `frames` right behind it, in one write. */
export function plainWebSocketUpgrade(port: number, path: string, frames: Buffer[]): Buffer {
  const request = `GET ${path} HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n` +
    `Sec-WebSocket-Key: ${randomBytes(16).toString('base64')}\r\nSec-WebSocket-Version: 13\r\n\r\n`;
  return Buffer.concat([Buffer.from(request), ...frames]);
}

/**
 * The ClientHello a controller really sends (TLS 1.2 PSK), captured from a throwaway listener
 * on loopback: the start of a handshake to cut short and to garble.
 */
export async function captureClientHello(farmKey: string): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const server = createServer((socket) => {
      socket.once('data', (hello) => {
        socket.destroy();
        server.close();
        resolve(hello);
      });
    });
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      const client = tlsConnect({ ...tlsClientOptions(farmKey), host: '127.0.0.1', port });
      client.on('error', () => undefined); // the listener hangs up after the hello
    });
  });
}

/** A frame of any JSON value (numbers, strings, nested objects and arrays), as text. */
export const jsonText = fc.jsonValue({ maxDepth: 6 }).map((v) => JSON.stringify(v) ?? 'null');

/** Text that is JSON-ish: brackets, quotes and digits, mostly not valid JSON. */
export const jsonishText = fc.string({
  unit: fc.constantFrom('{', '}', '[', ']', '"', ':', ',', '0', '1', '-', 'e', '.', 'true', 'null', '\\', 'u', 'type', ' '),
  maxLength: 400,
});

/** An object with a real message type and wrong or random fields (what a confused peer sends). */
export const messageLike = fc.record({
  type: fc.constantFrom(...MESSAGE_TYPES),
  taskId: fc.oneof(fc.string({ maxLength: 200 }), fc.integer(), fc.constant(null)),
  attempt: fc.oneof(fc.integer(), fc.double(), fc.string({ maxLength: 8 })),
  streamId: fc.oneof(fc.integer({ min: -5, max: 2 ** 33 }), fc.string({ maxLength: 8 })),
  file: fc.oneof(fc.anything({ maxDepth: 3 }), fc.record({ sha256: fc.string({ maxLength: 70 }), size: fc.oneof(fc.integer(), fc.double()), name: fc.string({ maxLength: 300 }) })),
  outputs: fc.array(fc.anything({ maxDepth: 2 }), { maxLength: 5 }),
  extra: fc.anything({ maxDepth: 3 }),
}, { requiredKeys: ['type'] }).map((v) => JSON.stringify(v));

/** Any of the above, plus raw strings with control characters and lone surrogates. */
export const hostileText = fc.oneof(jsonText, jsonishText, messageLike, fc.string({ unit: 'binary', maxLength: 300 }));

/** A binary frame: empty, shorter than a stream header, or a chunk for some (unknown) stream. */
export const hostileBinary = fc.oneof(
  fc.uint8Array({ maxLength: 3 }),
  fc.tuple(fc.integer({ min: 0, max: 0xffffffff }), fc.uint8Array({ maxLength: 4096 })).map(([streamId, data]) => {
    const frame = Buffer.alloc(4 + data.length);
    frame.writeUInt32BE(streamId, 0);
    frame.set(data, 4);
    return frame;
  }),
);
