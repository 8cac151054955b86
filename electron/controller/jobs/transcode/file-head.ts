import { open } from 'node:fs/promises';

/**
 * What a file's first bytes say it is, for when ffprobe cannot read it. ffprobe picks its
 * demuxer by the name, so a text file called `notes.mp4` fails as an MP4 would ("moov atom not
 * found"), and the user would be told the video is truncated. Looking at the bytes tells a
 * truncated MP4 (which still starts with its boxes) from a file that was never a video.
 */

const HEAD_BYTES = 4096;

/** The first few KB of the file (fewer if it is shorter). */
export async function readHead(path: string): Promise<Buffer> {
  const file = await open(path, 'r');
  try {
    const buffer = Buffer.alloc(HEAD_BYTES);
    const { bytesRead } = await file.read(buffer, 0, HEAD_BYTES, 0);
    return buffer.subarray(0, bytesRead);
  } finally {
    await file.close();
  }
}

/** Box types an ISO media file (MP4, MOV, M4V, 3GP) can start with: `ftyp` nearly always. */
const ISO_FIRST_BOXES = new Set(['ftyp', 'styp', 'moov', 'mdat', 'free', 'skip', 'wide', 'pnot', 'uuid', 'moof', 'sidx', 'pdin']);

/** True when the bytes start like an MP4/MOV: a box whose type sits at offset 4. */
export function startsLikeIsoMedia(head: Buffer): boolean {
  return head.length >= 8 && ISO_FIRST_BOXES.has(head.toString('latin1', 4, 8));
}

/** Signatures of files people pick by mistake, none of which is a video. */
const NOT_VIDEO: [Buffer, string][] = [
  [Buffer.from('BLENDER'), 'it is a Blender scene'],
  [Buffer.from('%PDF-'), 'it is a PDF document'],
  [Buffer.from('PK\x03\x04', 'latin1'), 'it is a ZIP archive'],
  [Buffer.from('\x89PNG\r\n\x1a\n', 'latin1'), 'it is a PNG picture'],
  [Buffer.from([0x1f, 0x8b]), 'it is a gzip archive'],
];

/**
 * Why a file ffprobe could not read is not a video at all ("it holds text"), or null when its
 * bytes do not say (it may be a damaged video).
 */
export function notVideoReason(head: Buffer, fileSize: number): string | null {
  for (const [magic, reason] of NOT_VIDEO) if (head.subarray(0, magic.length).equals(magic)) return reason;
  if (isText(head, fileSize)) return 'it holds text';
  return null;
}

/**
 * Text: valid UTF-8 with no control characters but tab, line breaks and form feed. A cut at the
 * end of the sample may split one character, so up to 3 trailing bytes may be incomplete.
 */
function isText(head: Buffer, fileSize: number): boolean {
  if (head.length === 0) return false;
  for (const byte of head) if (byte < 0x20 && byte !== 0x09 && byte !== 0x0a && byte !== 0x0d && byte !== 0x0c) return false;
  if (head.includes(0x7f)) return false;
  const decoder = new TextDecoder('utf-8', { fatal: true });
  for (let cut = 0; cut <= (fileSize > head.length ? 3 : 0); cut++) {
    try {
      decoder.decode(head.subarray(0, head.length - cut));
      return true;
    } catch {
      // Try one byte shorter: the sample may end inside a character.
    }
  }
  return false;
}
