import { extname } from 'node:path';
import type { FrameImageFormat } from '../api/contract.js';

/**
 * What a frame file holds, read from its first bytes rather than trusted from its name: the
 * viewer sends PNG and JPEG bytes to the browser as they are, so a file must really be one (a
 * `.png` that is anything else is converted or refused, never sent under an image type it is
 * not). Targa has no signature; only it is known by its extension.
 */
const SIGNATURES: [FrameImageFormat, number[]][] = [
  ['png', [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]],
  ['jpeg', [0xff, 0xd8, 0xff]],
  ['exr', [0x76, 0x2f, 0x31, 0x01]],
  ['tiff', [0x49, 0x49, 0x2a, 0x00]],
  ['tiff', [0x4d, 0x4d, 0x00, 0x2a]],
  ['bmp', [0x42, 0x4d]],
];

/** How many leading bytes imageFormat needs. */
export const FORMAT_HEADER_BYTES = 8;

/** The format of a file starting with `head`, named `name`; null when it is none the viewer shows. */
export function imageFormat(head: Uint8Array, name: string): FrameImageFormat | null {
  for (const [format, signature] of SIGNATURES) {
    if (head.length >= signature.length && signature.every((byte, i) => head[i] === byte)) return format;
  }
  return extname(name).toLowerCase() === '.tga' ? 'targa' : null;
}

/** PNG and JPEG go to the browser as they are; the rest is converted to PNG by ffmpeg. */
export function browserShows(format: FrameImageFormat): format is 'png' | 'jpeg' {
  return format === 'png' || format === 'jpeg';
}
