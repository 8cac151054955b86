import { createReadStream, existsSync } from 'node:fs';
import { realpath, stat } from 'node:fs/promises';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { dirname, extname, join, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { API_PATH } from './api-wire.js';

/**
 * Serves the built desktop UI (dist/renderer) at `/` of the API's http server, so a browser
 * pointed at `farmhand controller` gets the same window the desktop app shows. Only files
 * inside that folder are served (no `..`, no symlinks leading out, no directory listings),
 * with their content type and a Content-Security-Policy that lets the page load nothing but
 * its own files and talk to nothing but this controller.
 */

export const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.txt': 'text/plain; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
};

/** A Host header as browsers send it (name or IP, optional port); anything else gets no ws: source. */
const HOST = /^(\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9.-]{1,253})(:\d{1,5})?$/;

export interface StaticFilesOptions {
  /** The built UI (index.html, app.js, app.css). */
  root: string;
}

export type StaticFileHandler = (request: IncomingMessage, response: ServerResponse) => void;

export function createStaticFileHandler(o: StaticFilesOptions): StaticFileHandler {
  // Found once it exists: a UI built while the controller runs is served without a restart.
  let rootReal: string | null = null;
  const realRoot = async () => (rootReal ??= await realpath(o.root).catch(() => null));
  return (request, response) => {
    void serve(request, response, o.root, realRoot).catch(() => {
      if (!response.headersSent) send(response, 500, 'The file could not be read; check the controller\'s log and try again.\n');
      else response.destroy();
    });
  };
}

export function securityHeaders(host: string | undefined): Record<string, string> {
  const own = host && HOST.test(host) ? ` ws://${host} wss://${host}` : '';
  return {
    'content-security-policy': [
      "default-src 'self'",
      "script-src 'self'",
      "style-src 'self'",
      "img-src 'self' data:",
      "font-src 'self'",
      `connect-src 'self'${own}`,
      "object-src 'none'",
      "base-uri 'none'",
      "form-action 'none'",
      "frame-ancestors 'none'",
    ].join('; '),
    'x-content-type-options': 'nosniff',
    'x-frame-options': 'DENY',
    'referrer-policy': 'no-referrer',
    'cross-origin-opener-policy': 'same-origin',
    'cross-origin-resource-policy': 'same-origin',
  };
}

async function serve(request: IncomingMessage, response: ServerResponse, root: string, realRoot: () => Promise<string | null>): Promise<void> {
  if (request.method !== 'GET' && request.method !== 'HEAD') {
    return send(response, 405, 'Only GET and HEAD are served here; the API is a WebSocket at /api.\n', { allow: 'GET, HEAD' });
  }
  const relative = safeRelativePath(request.url ?? '/');
  if (relative === null) return send(response, 400, 'That path is not allowed; ask for a file of the UI, e.g. /index.html.\n');
  if (relative === API_PATH.slice(1)) return send(response, 426, `The API at ${API_PATH} speaks WebSocket only; connect with a WebSocket client.\n`, { upgrade: 'websocket' });

  const base = await realRoot();
  if (base === null) return send(response, 503, 'The Farmhand UI is not built; run `npm run build` in the Farmhand folder, then reload.\n');
  const file = await realpath(join(root, relative)).catch(() => null);
  // realpath resolves symlinks: a link pointing outside the UI's folder is refused like `..`.
  if (file === null || !file.startsWith(base + sep)) return send(response, 404, 'Not found. The Farmhand UI is at /.\n');
  const info = await stat(file).catch(() => null);
  if (!info?.isFile()) return send(response, 404, 'Not found. The Farmhand UI is at /.\n');

  const type = CONTENT_TYPES[extname(file).toLowerCase()] ?? 'application/octet-stream';
  response.writeHead(200, {
    ...securityHeaders(request.headers.host),
    'content-type': type,
    'content-length': String(info.size),
    // index.html names the bundle; it must be re-read after an upgrade, the rest may be revalidated.
    'cache-control': 'no-cache',
  });
  if (request.method === 'HEAD') return void response.end();
  const stream = createReadStream(file);
  stream.once('error', () => response.destroy());
  stream.pipe(response);
}

/**
 * The request's path as a relative file name, or null when it could climb out of the folder or
 * is otherwise odd (encoded slashes or NULs, backslashes, dot segments, hidden files).
 */
export function safeRelativePath(url: string): string | null {
  const pathname = url.split(/[?#]/, 1)[0] ?? '/';
  let decoded: string;
  try {
    decoded = decodeURIComponent(pathname);
  } catch {
    return null;
  }
  if (!decoded.startsWith('/') || /[\0\\]/.test(decoded) || /%2f|%5c/i.test(pathname)) return null;
  const segments = decoded.split('/').filter((s) => s !== '');
  if (segments.some((s) => s === '.' || s === '..' || s.startsWith('.'))) return null;
  if (segments.length === 0) return 'index.html';
  return segments.join('/');
}

function send(response: ServerResponse, status: number, text: string, headers: Record<string, string> = {}): void {
  response.writeHead(status, { 'content-type': 'text/plain; charset=utf-8', 'x-content-type-options': 'nosniff', ...headers });
  response.end(text);
}

/**
 * dist/renderer of the Farmhand folder this code runs from (bundled in dist/bundle, compiled in
 * dist/electron, or from source under tsx): the nearest folder upwards with a package.json.
 */
export function builtUiFolder(moduleUrl: string): string {
  let dir = dirname(fileURLToPath(moduleUrl));
  for (let i = 0; i < 8; i++) {
    if (existsSync(join(dir, 'package.json'))) return join(dir, 'dist', 'renderer');
    const parent = dirname(dir);
    if (parent === dir) break;
    dir = parent;
  }
  return join(dirname(fileURLToPath(moduleUrl)), 'renderer');
}
