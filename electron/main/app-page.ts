import { realpath, stat } from 'node:fs/promises';
import { extname, join, sep } from 'node:path';
import { CONTENT_TYPES, safeRelativePath, securityHeaders } from '../controller/api/static-files.js';

/**
 * Where the window's page comes from: the built UI (dist/renderer) served under its own
 * scheme, `app://farmhand/`, rather than file:// (Electron's security checklist: a file://
 * page may read any file, and file:// responses carry no headers, so no real CSP). The page
 * gets the same security headers a browser gets from `farmhand controller`, and IPC answers
 * only frames of this origin.
 */

export const APP_SCHEME = 'app';
export const APP_HOST = 'farmhand';
export const APP_INDEX_URL = `${APP_SCHEME}://${APP_HOST}/index.html`;

/** True for a URL of the app's own page or files (a custom scheme's URL has an opaque origin in Node, so scheme and host are compared). */
export function isAppUrl(url: string): boolean {
  try {
    const u = new URL(url);
    return u.protocol === `${APP_SCHEME}:` && u.host === APP_HOST && u.username === '' && u.password === '' && u.port === '';
  } catch {
    return false;
  }
}

export type UiResponse = { status: 200; path: string; headers: Record<string, string> } | { status: 403 | 404; text: string; headers: Record<string, string> };

/**
 * The file an `app://farmhand/…` request names inside the built UI folder, with its headers;
 * anything else (another host, `..`, hidden files, a symlink leading out) is refused.
 */
export async function resolveUiRequest(uiFolder: string, url: string): Promise<UiResponse> {
  const plain = { 'content-type': 'text/plain; charset=utf-8', 'x-content-type-options': 'nosniff' };
  if (!isAppUrl(url)) return { status: 403, text: 'Only the app\'s own files are served here.', headers: plain };
  const relative = safeRelativePath(new URL(url).pathname);
  if (relative === null) return { status: 404, text: 'Not found.', headers: plain };
  const base = await realpath(uiFolder).catch(() => null);
  if (base === null) return { status: 404, text: 'The Farmhand UI is not built; run `npm run build` in the Farmhand folder, then restart the app.', headers: plain };
  const file = await realpath(join(uiFolder, relative)).catch(() => null);
  if (file === null || !file.startsWith(base + sep) || !(await stat(file).catch(() => null))?.isFile()) return { status: 404, text: 'Not found.', headers: plain };
  return {
    status: 200,
    path: file,
    headers: { ...securityHeaders(undefined), 'content-type': CONTENT_TYPES[extname(file).toLowerCase()] ?? 'application/octet-stream', 'cache-control': 'no-cache' },
  };
}
