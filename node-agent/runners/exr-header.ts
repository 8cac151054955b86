import { open } from 'node:fs/promises';

/**
 * The two attributes of an OpenEXR header the agent checks a multilayer frame by: `channels`
 * (Blender names them `<view layer>.<pass>[.<view>].<channel>`, e.g. `ViewLayer.Combined.R`)
 * and `multiView` (the views a one-file stereo frame holds). A header is a list of attributes,
 * each `name\0type\0<int32 size><value>`, ended by an empty name; a multi-part file has one
 * such header per part and an empty header after the last. Everything read is bounded: the
 * header bytes, the names, the number of attributes, parts and channels. A file this reader
 * cannot read is an ExrHeaderError, never a crash.
 */

export class ExrHeaderError extends Error {
  override name = 'ExrHeaderError';
}

export interface ExrHeader {
  /** Every channel name, in file order (all parts). */
  channels: string[];
  /** Each channel's pixel type, in the same order: 0 uint, 1 half, 2 float. */
  pixelTypes: number[];
  /** The `multiView` attribute's view names, or null when the file has none. */
  multiView: string[] | null;
}

/** The header is read from the first this-many bytes at most (Blender's are a few kilobytes). */
export const MAX_EXR_HEADER_BYTES = 1024 * 1024;
const MAX_NAME_BYTES = 255;
const MAX_ATTRIBUTES = 10_000;
const MAX_CHANNELS = 10_000;
const MAX_PARTS = 64;
const MAGIC = 20000630;
const MULTIPART = 0x1000;

/** Read first: Blender's headers fit many times over, so a chunk of many frames reads little. */
const FIRST_READ_BYTES = 64 * 1024;

export async function readExrHeader(path: string): Promise<ExrHeader> {
  const file = await open(path, 'r');
  try {
    for (const size of [FIRST_READ_BYTES, MAX_EXR_HEADER_BYTES]) {
      const buffer = Buffer.allocUnsafe(size);
      const { bytesRead } = await file.read(buffer, 0, size, 0);
      try {
        return parseExrHeader(buffer.subarray(0, bytesRead));
      } catch (error) {
        // A header cut off by the first read is read again, longer; anything else is the answer.
        if (!(error instanceof ExrHeaderError) || bytesRead < size || size === MAX_EXR_HEADER_BYTES) throw error;
      }
    }
    throw new ExrHeaderError('unreachable');
  } finally {
    await file.close();
  }
}

export function parseExrHeader(bytes: Buffer): ExrHeader {
  if (bytes.length < 8 || bytes.readInt32LE(0) !== MAGIC) throw new ExrHeaderError('the file does not start like an OpenEXR file');
  const multipart = (bytes.readInt32LE(4) & MULTIPART) !== 0;
  const reader = new Reader(bytes, 8);
  const channels: string[] = [];
  const pixelTypes: number[] = [];
  let multiView: string[] | null = null;
  let attributes = 0;
  for (let part = 0; part < MAX_PARTS; part++) {
    if (multipart && part > 0 && reader.peek() === 0) return { channels, pixelTypes, multiView }; // the empty header after the last part
    for (;;) {
      const name = reader.zeroTerminated('attribute name');
      if (name === '') break;
      if (++attributes > MAX_ATTRIBUTES) throw new ExrHeaderError(`the header has more than ${MAX_ATTRIBUTES} attributes`);
      const type = reader.zeroTerminated('attribute type');
      const size = reader.int32();
      const value = reader.take(size, `the ${name} attribute`);
      if (name === 'channels' && type === 'chlist') {
        for (const c of channelList(value, MAX_CHANNELS - channels.length)) {
          channels.push(c.name);
          pixelTypes.push(c.pixelType);
        }
      }
      if (name === 'multiView' && type === 'stringvector') multiView = strings(value);
    }
    if (!multipart) return { channels, pixelTypes, multiView };
  }
  throw new ExrHeaderError(`the file has more than ${MAX_PARTS} parts`);
}

/** A chlist: `name\0` + pixel type, pLinear, 3 reserved bytes, x and y sampling (16 bytes), until an empty name. */
function channelList(value: Buffer, room: number): { name: string; pixelType: number }[] {
  const reader = new Reader(value, 0);
  const list: { name: string; pixelType: number }[] = [];
  for (;;) {
    const name = reader.zeroTerminated('channel name');
    if (name === '') return list;
    if (list.length >= room) throw new ExrHeaderError(`the file has more than ${MAX_CHANNELS} channels`);
    list.push({ name, pixelType: reader.take(16, 'a channel description').readInt32LE(0) });
  }
}

/** A stringvector: `<int32 length><bytes>` until the value ends. */
function strings(value: Buffer): string[] {
  const reader = new Reader(value, 0);
  const out: string[] = [];
  while (!reader.done() && out.length < MAX_ATTRIBUTES) out.push(reader.take(reader.int32(), 'a string').toString('utf8'));
  return out;
}

class Reader {
  constructor(private readonly bytes: Buffer, private at: number) {}

  done(): boolean {
    return this.at >= this.bytes.length;
  }

  peek(): number | undefined {
    return this.bytes[this.at];
  }

  zeroTerminated(what: string): string {
    const end = this.bytes.indexOf(0, this.at);
    if (end < 0 || end - this.at > MAX_NAME_BYTES) throw new ExrHeaderError(`a ${what} is not ended within ${MAX_NAME_BYTES} bytes (or the header is longer than ${MAX_EXR_HEADER_BYTES} bytes)`);
    const text = this.bytes.toString('utf8', this.at, end);
    this.at = end + 1;
    return text;
  }

  int32(): number {
    if (this.at + 4 > this.bytes.length) throw new ExrHeaderError('the header ends inside a size');
    const value = this.bytes.readInt32LE(this.at);
    this.at += 4;
    return value;
  }

  take(size: number, what: string): Buffer {
    if (size < 0 || this.at + size > this.bytes.length) throw new ExrHeaderError(`${what} runs past the end of the header`);
    const value = this.bytes.subarray(this.at, this.at + size);
    this.at += size;
    return value;
  }
}
