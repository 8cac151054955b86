import { readBlendBytes, type BlendBytesOptions } from './blend-bytes.js';
import { parseBlendFile, type BlendFile } from './blend-file.js';

/**
 * One submit's .blend reads: each file read, decompressed and parsed once, however many readers
 * ask. A submit reads the scene for its settings and then again for its dependency manifest;
 * each read of a Blender 3.0+ scene starts the `zstd` tool, and on a busy machine starting a
 * process holds this thread for tens of milliseconds, all before the first task can go out.
 * A failed read stays failed for the submit (both readers then turn to Blender alike). Readers
 * only look at a parsed file, never change it.
 */
export type BlendReads = (path: string) => Promise<BlendFile>;

export function sharedBlendReads(o: BlendBytesOptions = {}): BlendReads {
  const reads = new Map<string, Promise<BlendFile>>();
  return (path) => {
    let read = reads.get(path);
    if (!read) {
      read = readBlendBytes(path, o).then(parseBlendFile);
      read.catch(() => undefined); // the asker handles it; a second asker gets the same rejection
      reads.set(path, read);
    }
    return read;
  };
}
