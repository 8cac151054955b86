import { execFile } from 'node:child_process';
import { open, readFile } from 'node:fs/promises';
import { promisify } from 'node:util';
import { gunzip } from 'node:zlib';
import { decompress as zstdDecompress } from 'fzstd';
import { findOnPath } from '../../../../node-agent/host/find-executable.js';
import { BlendReadError } from './blend-file.js';

/**
 * A .blend file's bytes, uncompressed, read without blocking the controller's event loop.
 * Blender 3.0+ saves "compressed" files as zstd, which Node 20's zlib cannot read. The
 * system's `zstd` tool, when installed, decompresses in its own process at native speed;
 * fzstd (JavaScript, on this thread) is the fallback. Measured on the example scene (85 KB →
 * 483 KB): fzstd costs ~35 ms of cold JavaScript on every `farmhand render` before the first
 * task can go out, and a 200 MB production scene would hold the controller for seconds.
 * Blender before 3.0 wrote gzip, which zlib inflates on its thread pool.
 */

const execFileAsync = promisify(execFile);

const ZSTD_MAGIC = 0xfd2fb528;
const GZIP_MAGIC = [0x1f, 0x8b];
const BLENDER_MAGIC = Buffer.from('BLENDER');

/** How a .blend starts: plain (`BLENDER`), gzip (before 3.0), zstd (3.0+), or not like a .blend at all. */
export type BlendStart = 'plain' | 'gzip' | 'zstd' | null;

/** The kind of .blend these first bytes (7 or more) begin, the one place its magic numbers are kept. */
export function blendStartOf(head: Buffer): BlendStart {
  if (head.subarray(0, BLENDER_MAGIC.length).equals(BLENDER_MAGIC)) return 'plain';
  if (head[0] === GZIP_MAGIC[0] && head[1] === GZIP_MAGIC[1]) return 'gzip';
  if (head.length >= 4 && head.readUInt32LE(0) === ZSTD_MAGIC) return 'zstd';
  return null;
}

/** Reads a file's first bytes and tells what kind of .blend it begins, if any. */
export async function readBlendStart(path: string): Promise<BlendStart> {
  const file = await open(path, 'r');
  try {
    const head = Buffer.alloc(BLENDER_MAGIC.length);
    const { bytesRead } = await file.read(head, 0, head.length, 0);
    return blendStartOf(head.subarray(0, bytesRead));
  } finally {
    await file.close();
  }
}
/** An uncompressed scene larger than this is left to Blender, which streams it. */
export const MAX_UNCOMPRESSED_BYTES = 1024 * 1024 * 1024;

export interface BlendBytesOptions {
  /** The zstd tool; null = decompress in JavaScript. Default: `zstd` on PATH, if any. */
  zstdTool?: string | null;
  /** What the caller already read of the file's start (readBlendStart), so it is not read again. */
  start?: BlendStart;
}

let zstdOnPath: string | null | undefined;

export async function readBlendBytes(path: string, o: BlendBytesOptions = {}): Promise<Buffer> {
  if (o.zstdTool === undefined && zstdOnPath === undefined) zstdOnPath = findOnPath('zstd');
  const zstd = o.zstdTool !== undefined ? o.zstdTool : zstdOnPath!;
  if (zstd && (o.start !== undefined ? o.start : await readBlendStart(path)) === 'zstd') return decompressWithTool(zstd, path);
  return decompressed(await readFile(path));
}

async function decompressWithTool(zstd: string, path: string): Promise<Buffer> {
  try {
    const { stdout } = await execFileAsync(zstd, ['-d', '-c', '-q', '--', path], { encoding: 'buffer', maxBuffer: MAX_UNCOMPRESSED_BYTES, windowsHide: true });
    return stdout;
  } catch (error) {
    const e = error as NodeJS.ErrnoException & { stderr?: Buffer };
    if (e.code === 'ERR_CHILD_PROCESS_STDIO_MAXBUFFER') throw new BlendReadError('the file is large; Blender reads it instead');
    if (e.code === 'ENOENT' || e.code === 'EACCES') return decompressed(await readFile(path)); // the tool went away: do it here
    const reason = e.stderr?.toString('utf8').trim().split('\n').at(-1)?.replace(/^zstd:\s*/, '') || e.message;
    throw new BlendReadError(`the zstd-compressed file is damaged (${reason})`);
  }
}

/** The file's bytes as they are, inflated, or decompressed by fzstd. */
export async function decompressed(raw: Buffer): Promise<Buffer> {
  const start = blendStartOf(raw);
  if (start === 'gzip') {
    try {
      return await promisify(gunzip)(raw, { maxOutputLength: MAX_UNCOMPRESSED_BYTES });
    } catch (error) {
      throw new BlendReadError(`the gzip-compressed file is damaged (${(error as Error).message})`);
    }
  }
  if (start === 'zstd') {
    try {
      const out = zstdDecompress(raw);
      return Buffer.from(out.buffer, out.byteOffset, out.byteLength);
    } catch (error) {
      throw new BlendReadError(`the zstd-compressed file is damaged (${(error as Error).message})`);
    }
  }
  return raw;
}
