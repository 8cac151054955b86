import { createHash, randomBytes } from 'node:crypto';
import { DEFAULT_UPLOAD_LIMIT_BYTES } from './api-defaults.js';
import { mkdir, open, rename, rm } from 'node:fs/promises';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { extname, join, relative, resolve, sep } from 'node:path';
import { Transform, type Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { tokensEqual } from './api-token.js';
import { freeBytes, isDiskFullError, megabytes } from '../disk/disk-space.js';

/**
 * `POST /api/uploads?name=scene.blend`: a browser has no path for a dropped file, so it sends
 * the bytes here and gets back a path on the controller's machine, which it then probes and
 * submits like any other. Only a client with the API token (`Authorization: Bearer …`) may
 * upload; the body is streamed to disk (never held in memory), capped in size, and stored as
 * `<uploads>/<sha256>/<sanitised name>`, so the name can never leave that folder and the same
 * file uploaded twice lands in the same place.
 */

export const UPLOAD_PATH = '/api/uploads';
export { DEFAULT_UPLOAD_LIMIT_BYTES } from './api-defaults.js';
const MAX_NAME_LENGTH = 200;

export interface UploadRouteOptions {
  /** Where uploads are kept (FARMHAND_HOME/uploads). */
  dir: string;
  token: string;
  maxBytes?: number;
}

export interface UploadResult {
  path: string;
  name: string;
  size: number;
  sha256: string;
}

export type HttpHandler = (request: IncomingMessage, response: ServerResponse) => void;

export function isUploadRequest(request: IncomingMessage): boolean {
  return (request.url ?? '').split('?', 1)[0] === UPLOAD_PATH;
}

export function createUploadHandler(o: UploadRouteOptions): HttpHandler {
  const maxBytes = o.maxBytes ?? DEFAULT_UPLOAD_LIMIT_BYTES;
  return (request, response) => {
    void receive(request, response, o.dir, o.token, maxBytes).catch(async (error: unknown) => {
      if (response.headersSent) return void response.destroy();
      // A full data disk is named as such (507 Insufficient Storage), with what is left on it.
      if (isDiskFullError(error)) {
        const free = await freeBytes(o.dir).catch(() => 0);
        return refuse(response, 507, `The data disk ${o.dir} is full (${megabytes(free)} free), so the upload was not saved; free some space there and upload again.`);
      }
      refuse(response, 500, 'The upload could not be saved; check the controller\'s disk space and log, then try again.');
    });
  };
}

class TooLarge extends Error {}

async function receive(request: IncomingMessage, response: ServerResponse, dir: string, token: string, maxBytes: number): Promise<void> {
  // Watched from the first moment, before anything is awaited: a client can be gone before the
  // body is read (a hang-up, a body shorter than declared, a cut-off chunked body, or bytes past
  // Content-Length that make Node destroy the connection with the body still buffered). Node
  // then never ends the request stream, so without this the file would stay open for good.
  // `readableEnded`, not `complete`: a body that fully arrived but was never read is lost too.
  const clientGone = new AbortController();
  request.once('close', () => {
    if (!request.readableEnded) clientGone.abort();
  });
  if (request.method !== 'POST') return refuse(response, 405, `Uploads are sent with POST to ${UPLOAD_PATH}?name=FILE_NAME.`, { allow: 'POST' });
  const bearer = /^Bearer\s+(\S+)\s*$/i.exec(request.headers.authorization ?? '')?.[1];
  if (!bearer || !tokensEqual(bearer, token)) {
    return refuse(response, 401, 'Uploading needs the API token: send it as "Authorization: Bearer TOKEN" (the token is in the controller\'s data folder, file api-token).', { 'www-authenticate': 'Bearer' });
  }
  const rawName = new URL(request.url ?? '/', 'http://upload').searchParams.get('name') ?? '';
  const name = safeUploadName(rawName);
  if (name === null) return refuse(response, 400, `Give the file's name as ${UPLOAD_PATH}?name=scene.blend (letters, digits, spaces, dots, dashes).`);
  const declared = Number(request.headers['content-length']);
  if (Number.isFinite(declared) && declared > maxBytes) return refuse(response, 413, tooLargeSentence(rawName, maxBytes));

  await mkdir(dir, { recursive: true });
  if (clientGone.signal.aborted) return void response.destroy();
  const temp = join(dir, `.incoming-${randomBytes(8).toString('hex')}`);
  let body: { size: number; sha256: string };
  try {
    body = await writeBody(request, temp, maxBytes, clientGone.signal);
  } catch (error) {
    // The temp file is already gone here, so whoever reads the answer finds no trace of it.
    if (error instanceof TooLarge) return refuse(response, 413, tooLargeSentence(rawName, maxBytes));
    if (clientGone.signal.aborted) return void response.destroy(); // no one is left to answer
    throw error;
  }
  const folder = join(dir, body.sha256);
  const path = join(folder, name);
  try {
    // Belt and braces: the sanitised name has no separators, but nothing may land outside the folder.
    const rel = relative(resolve(folder), resolve(path));
    if (rel.startsWith('..') || rel.includes(sep) || rel === '') {
      await rm(temp, { force: true });
      return refuse(response, 400, 'That file name is not allowed; rename the file and upload it again.');
    }
    await mkdir(folder, { recursive: true });
    await rename(temp, path);
  } catch (error) {
    await rm(temp, { force: true });
    throw error;
  }
  const result: UploadResult = { path, name, ...body };
  response.writeHead(201, { 'content-type': 'application/json; charset=utf-8', 'x-content-type-options': 'nosniff', 'cache-control': 'no-store' });
  response.end(JSON.stringify(result));
}

/**
 * Streams the request body into a new file at `temp`, counting and hashing it. On any failure
 * (too large, client gone, disk error) the file is closed and removed before this rejects.
 */
async function writeBody(request: IncomingMessage, temp: string, maxBytes: number, clientGone: AbortSignal): Promise<{ size: number; sha256: string }> {
  // Opened before any byte is piped, so the file exists (and can be removed) on every path,
  // rather than a stream's lazy open racing the removal.
  const file = await open(temp, 'wx', 0o600);
  const sink = file.createWriteStream();
  const hash = createHash('sha256');
  let size = 0;
  const counter = new Transform({
    transform(chunk: Buffer, _encoding, done) {
      size += chunk.length;
      if (size > maxBytes) return done(new TooLarge());
      hash.update(chunk);
      done(null, chunk);
    },
  });
  try {
    // The request is piped in rather than made part of the pipeline: a pipeline destroys its
    // source on error, which would take the socket and the 413 answer with it.
    const written = pipeline(counter, sink, { signal: clientGone });
    request.pipe(counter);
    await written.finally(() => request.unpipe(counter));
    return { size, sha256: hash.digest('hex') };
  } catch (error) {
    await closed(sink);
    await rm(temp, { force: true });
    throw error;
  } finally {
    await file.close().catch(() => undefined); // the stream closes it on every normal path
  }
}

/** Resolves once the file stream has let go of its descriptor, however it ended. */
function closed(sink: Writable): Promise<void> {
  if (sink.closed) return Promise.resolve();
  if (!sink.destroyed) sink.destroy();
  return new Promise((resolve) => sink.once('close', () => resolve()));
}

/**
 * A plain file name from whatever the client sent: the last path segment only, control
 * characters dropped, anything but letters, digits, spaces and `._()+-` replaced, no leading
 * dots (no hidden files, no `..`), at most 200 characters with the extension kept. Null when
 * nothing usable is left.
 */
export function safeUploadName(raw: string): string | null {
  const last = raw.split(/[\\/]/).pop() ?? '';
  const cleaned = last
    .normalize('NFC')
    .replace(/[\p{Cc}\p{Cf}]/gu, '')
    .replace(/[^\p{L}\p{N} ._()+-]/gu, '_')
    .replace(/^[.\s]+/, '')
    .trim();
  if (cleaned === '' || /^[_ .]*$/.test(cleaned)) return null;
  if (cleaned.length <= MAX_NAME_LENGTH) return cleaned;
  const ext = extname(cleaned).slice(0, 16);
  return `${cleaned.slice(0, MAX_NAME_LENGTH - ext.length)}${ext}`;
}

function tooLargeSentence(name: string, maxBytes: number): string {
  const shown = name ? `"${name.slice(0, 80)}"` : 'The file';
  return `${shown} is larger than the ${formatSize(maxBytes)} this controller accepts by upload; copy it to the controller's machine and give its path, or restart the controller with a larger --upload-limit.`;
}

function formatSize(bytes: number): string {
  if (bytes >= 1024 ** 3) return `${+(bytes / 1024 ** 3).toFixed(1)} GiB`;
  if (bytes >= 1024 ** 2) return `${+(bytes / 1024 ** 2).toFixed(1)} MiB`;
  if (bytes >= 1024) return `${+(bytes / 1024).toFixed(1)} KiB`;
  return `${bytes} bytes`;
}

/**
 * Answers with a sentence and closes the connection (`connection: close` makes Node end the
 * socket once the answer is out), so an unauthorised or oversized body is not read to its end.
 */
function refuse(response: ServerResponse, status: number, text: string, headers: Record<string, string> = {}): void {
  response.writeHead(status, { 'content-type': 'text/plain; charset=utf-8', 'x-content-type-options': 'nosniff', connection: 'close', ...headers });
  response.end(`${text}\n`);
}
