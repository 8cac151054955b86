/**
 * Binary WebSocket frames carry file bytes: a 4-byte big-endian stream id (from `file.begin`)
 * followed by the chunk. Control messages are always text frames, so the two never mix.
 */
export const STREAM_HEADER_BYTES = 4;

export function encodeChunkHeader(streamId: number): Buffer {
  const header = Buffer.allocUnsafe(STREAM_HEADER_BYTES);
  header.writeUInt32BE(streamId, 0);
  return header;
}

export function decodeChunk(frame: Buffer): { streamId: number; data: Buffer } | null {
  if (frame.length < STREAM_HEADER_BYTES) return null;
  return { streamId: frame.readUInt32BE(0), data: frame.subarray(STREAM_HEADER_BYTES) };
}
