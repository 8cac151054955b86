import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import type { FileRef } from './protocol/index.js';

/** sha256 and size of a file, streamed (never the whole file in memory). */
export async function describeFile(path: string, name: string): Promise<FileRef> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(path, { highWaterMark: 1024 * 1024 })) hash.update(chunk as Buffer);
  const { size } = await stat(path);
  return { sha256: hash.digest('hex'), size, name };
}
