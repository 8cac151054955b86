import { dirname, isAbsolute, resolve } from 'node:path';

/**
 * Where a path a scene wrote is on the controller's machine. `//` is the folder of the .blend
 * that names it (a linked library's own folder for the library's paths), as bpy.path.abspath
 * does; absolute paths are taken as they are, after the user's path mapping (Deadline's word):
 * a scene made on Windows names `C:\tex\wood.png` or `\\nas\share\wood.png`, and a rule
 * `C:\tex=/mnt/tex` says where that folder is here. Rules match whole leading path segments,
 * with either slash, and Windows-style prefixes without regard to case, as Windows does.
 */

export interface PathMapRule {
  from: string;
  to: string;
}

/** `C:\…`, `C:/…` or a UNC `\\server\share\…` (a leading `//` is Blender's relative mark, not UNC). */
export function isWindowsPath(path: string): boolean {
  return /^[A-Za-z]:[\\/]/.test(path) || path.startsWith('\\\\');
}

export function resolveWrittenPath(written: string, blendPath: string, pathMap: readonly PathMapRule[] = []): string {
  if (written.startsWith('//')) return resolve(dirname(blendPath), written.slice(2).replace(/\\/g, '/'));
  const mapped = mapPath(written, pathMap);
  if (mapped !== undefined) return mapped;
  if (isWindowsPath(written)) return written; // not a path on this machine: listed as missing, as written
  return isAbsolute(written) ? resolve(written) : resolve(dirname(blendPath), written);
}

/** The first rule whose `from` is a leading part of the path, applied; undefined when none is. */
export function mapPath(path: string, pathMap: readonly PathMapRule[]): string | undefined {
  const slashed = slashes(path);
  for (const rule of pathMap) {
    const from = slashes(rule.from).replace(/\/+$/, '');
    if (from === '') continue;
    const head = slashed.slice(0, from.length);
    const same = isWindowsPath(rule.from) || isWindowsPath(path) ? head.toLowerCase() === from.toLowerCase() : head === from;
    const boundary = slashed.length === from.length || slashed[from.length] === '/';
    if (same && boundary) return resolve(rule.to + slashed.slice(from.length));
  }
  return undefined;
}

/** Forward slashes, repeated ones made one, except a UNC path's leading pair. */
function slashes(path: string): string {
  const forward = path.replace(/\\/g, '/');
  const unc = forward.startsWith('//');
  return (unc ? '/' : '') + forward.replace(/\/{2,}/g, '/');
}
