import { createHash } from 'node:crypto';
import { open } from 'node:fs/promises';
import type { FileRef } from './messages.js';

/** Bytes read per call: large enough that the system calls do not show, small enough to stay in cache. */
const READ_BYTES = 1024 * 1024;

/**
 * A file as the wire names it (sha256, size, name), read from disk: streamed, never the whole
 * file in memory. Both ends describe files the same way (inputs on the controller, outputs on
 * the agent), so it lives with the wire contract rather than in either side.
 *
 * One buffer is read into again and again: a read stream hands out a fresh 1 MiB buffer per
 * read, and the kernel's work of mapping each one costs more than the hashing (a 98 MB video:
 * 230–440 ms of CPU streamed, 90 ms with one buffer).
 */
export async function describeFile(path: string, name: string): Promise<FileRef> {
  const hash = createHash('sha256');
  const handle = await open(path, 'r');
  try {
    const buffer = Buffer.allocUnsafe(READ_BYTES);
    let size = 0;
    for (let bytesRead = -1; bytesRead !== 0; size += bytesRead) {
      ({ bytesRead } = await handle.read(buffer, 0, READ_BYTES, null));
      hash.update(bytesRead === READ_BYTES ? buffer : buffer.subarray(0, bytesRead));
    }
    return { sha256: hash.digest('hex'), size, name };
  } finally {
    await handle.close();
  }
}
