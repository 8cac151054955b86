import { open } from 'node:fs/promises';

/**
 * Which layer of an OpenEXR frame holds the picture, for ffmpeg's `-layer`. Blender's
 * multilayer EXR names its channels `<view layer>.<pass>.<R|G|B|A>` (`ViewLayer.Combined.R`);
 * ffmpeg 5.1 reads only unprefixed R, G, B unless told the layer, and fails with "Not yet
 * implemented in FFmpeg" otherwise (measured). The channel list is in the file's header, so
 * only its first bytes are read.
 *
 * Header layout (openexr.com, "OpenEXR File Layout"): magic 76 2f 31 01, 4 version bytes,
 * then attributes `name\0 type\0 size:int32le value` up to an empty name. `chlist` holds
 * `channel name\0` + 16 bytes per channel, ending with an empty name.
 */
const HEADER_BYTES = 64 * 1024;
const MAGIC = 0x01312f76;

/** The layer to give ffmpeg (e.g. "ViewLayer.Combined"), or null when the frame has plain R, G, B (or is not readable as EXR). */
export async function exrColourLayer(path: string): Promise<string | null> {
  const file = await open(path, 'r');
  try {
    const buffer = Buffer.alloc(HEADER_BYTES);
    const { bytesRead } = await file.read(buffer, 0, HEADER_BYTES, 0);
    const channels = exrChannels(buffer.subarray(0, bytesRead));
    return channels ? colourLayer(channels) : null;
  } finally {
    await file.close();
  }
}

/** The channel names in an EXR header, or null when it is not one (or is cut off). */
export function exrChannels(header: Buffer): string[] | null {
  if (header.length < 8 || header.readUInt32LE(0) !== MAGIC) return null;
  let at = 8;
  const text = (): string | null => {
    const end = header.indexOf(0, at);
    if (end < 0) return null;
    const value = header.toString('latin1', at, end);
    at = end + 1;
    return value;
  };
  for (let attributes = 0; attributes < 1000; attributes++) {
    const name = text();
    if (name === null || name === '') return null;
    const type = text();
    if (type === null || at + 4 > header.length) return null;
    const size = header.readInt32LE(at);
    at += 4;
    if (size < 0 || at + size > header.length) return null;
    if (name === 'channels' && type === 'chlist') return chlist(header.subarray(at, at + size));
    at += size;
  }
  return null;
}

function chlist(value: Buffer): string[] {
  const names: string[] = [];
  let at = 0;
  while (at < value.length && value[at] !== 0) {
    const end = value.indexOf(0, at);
    if (end < 0) break;
    names.push(value.toString('latin1', at, end));
    at = end + 1 + 16;
  }
  return names;
}

/** Plain R, G, B → null; else the layer with R, G and B, preferring the composite, then a Combined pass. */
export function colourLayer(channels: readonly string[]): string | null {
  const names = new Set(channels);
  if (names.has('R') && names.has('G') && names.has('B')) return null;
  const layers = channels.filter((c) => c.endsWith('.R')).map((c) => c.slice(0, -2)).filter((l) => names.has(`${l}.G`) && names.has(`${l}.B`));
  return layers.find((l) => l === 'Composite.Combined') ?? layers.find((l) => l.endsWith('.Combined') || l === 'Combined') ?? layers[0] ?? null;
}
