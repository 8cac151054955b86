import type { FileHandle } from 'node:fs/promises';
import type { WebSocket } from 'ws';
import { STREAM_HEADER_BYTES } from '../protocol/binary-frame.js';
import { FILE_CHUNK_BYTES, SEND_HIGH_WATER_BYTES } from '../protocol/constants.js';

/**
 * File bytes leave in frames that each fill one TLS record exactly: 16 KiB of plaintext holding
 * the WebSocket header, the stream id and the data. The receiver's TLS socket hands ws one record
 * per read, so ws finds every frame whole in one buffer and passes it on as it is. With 1 MiB
 * frames ws had to allocate a fresh 1 MiB buffer per frame and copy 64 records into it, and the
 * receiver then hashed and wrote bytes that were no longer in the cache: 500 MiB cost the
 * receiver 1.5–1.6× the CPU of a bare TLS socket receiving the same bytes, 1.01–1.05× now
 * (BENCHMARKS.md, transfer).
 * A control message or ping between frames only shifts the records of that one socket write.
 */
export const TLS_RECORD_BYTES = 16 * 1024;

/**
 * Data bytes per frame on this WebSocket: a record less the WebSocket header (2 bytes, 2 more
 * for a 16-bit length, and the 4-byte masking key a client sends, even when it is all zero, see
 * secure-client.ts) and the stream id.
 */
export function recordFrameDataBytes(ws: WebSocket): number {
  const isServer = (ws as unknown as { _isServer?: boolean })._isServer === true;
  return TLS_RECORD_BYTES - (isServer ? 4 : 8) - STREAM_HEADER_BYTES;
}

/**
 * A buffer that one file read fills with a run of frames (about FILE_CHUNK_BYTES of data), given
 * back for the next read once the socket has written all of its frames: a fresh buffer per read
 * costs the kernel's mapping of its pages every time (see describeFile). A few slabs are enough,
 * as the sender waits once SEND_HIGH_WATER_BYTES are queued.
 */
interface Slab {
  buffer: Buffer;
  dataBytes: number;
  frames: number;
  /** Frames of this slab the socket has not finished writing. */
  pending: number;
}

const spareSlabs: Slab[] = [];
const MAX_SPARE_SLABS = Math.ceil(SEND_HIGH_WATER_BYTES / FILE_CHUNK_BYTES) + 2;

function takeSlab(dataBytes: number): Slab {
  const spare = spareSlabs.findIndex((slab) => slab.dataBytes === dataBytes);
  if (spare !== -1) return spareSlabs.splice(spare, 1)[0]!;
  const frames = Math.max(1, Math.floor(FILE_CHUNK_BYTES / dataBytes));
  return { buffer: Buffer.allocUnsafe(frames * (STREAM_HEADER_BYTES + dataBytes)), dataBytes, frames, pending: 0 };
}

/** Called by ws once a frame is written (or dropped with the connection): the slab is free when all of its frames are. */
function giveBackSlab(slab: Slab): void {
  if (--slab.pending === 0 && spareSlabs.length < MAX_SPARE_SLABS) spareSlabs.push(slab);
}

/**
 * The next run of frames of a file (about FILE_CHUNK_BYTES of data from `position`), read with one
 * readv into a reused slab (readv scatters past each frame's stream id). `written` is the callback
 * to give ws with each frame: the slab is reused once the socket has written all of them. Null when
 * the file is shorter than it was announced (it changed while being sent).
 */
export async function readFrameRun(
  handle: FileHandle,
  o: { streamId: number; dataBytes: number; position: number; size: number },
): Promise<{ frames: Buffer[]; length: number; written: () => void } | null> {
  const slab = takeSlab(o.dataBytes);
  const frames: Buffer[] = [];
  const targets: Buffer[] = [];
  let length = 0;
  while (frames.length < slab.frames && o.position + length < o.size) {
    const bytes = Math.min(o.dataBytes, o.size - o.position - length);
    const at = frames.length * (STREAM_HEADER_BYTES + o.dataBytes);
    const frame = slab.buffer.subarray(at, at + STREAM_HEADER_BYTES + bytes);
    frame.writeUInt32BE(o.streamId, 0);
    frames.push(frame);
    targets.push(frame.subarray(STREAM_HEADER_BYTES));
    length += bytes;
  }
  const { bytesRead } = await handle.readv(targets, o.position);
  if (bytesRead !== length) {
    giveBackUnused(slab);
    return null;
  }
  slab.pending = frames.length;
  return { frames, length, written: () => giveBackSlab(slab) };
}

/** A slab none of whose frames went out. */
function giveBackUnused(slab: Slab): void {
  if (spareSlabs.length < MAX_SPARE_SLABS) spareSlabs.push(slab);
}
