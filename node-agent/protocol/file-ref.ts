import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import type { FileRef } from './messages.js';

/**
 * A file as the wire names it (sha256, size, name), read from disk: streamed, never the whole
 * file in memory. Both ends describe files the same way (inputs on the controller, outputs on
 * the agent), so it lives with the wire contract rather than in either side.
 */
export async function describeFile(path: string, name: string): Promise<FileRef> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(path, { highWaterMark: 1024 * 1024 })) hash.update(chunk as Buffer);
  const { size } = await stat(path);
  return { sha256: hash.digest('hex'), size, name };
}
