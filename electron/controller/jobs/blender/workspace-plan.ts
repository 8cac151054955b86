import { basename, dirname, isAbsolute, relative, resolve, sep } from 'node:path';
import { posix, win32 } from 'node:path';
import type { PathMap, WorkspaceFile } from '../../../../node-agent/protocol/index.js';
import { isSafeWorkspacePath } from '../../../../node-agent/protocol/index.js';
import type { DependencyEntry, DependencyKind } from '../../api/views.js';

/**
 * Where a scene and every file it needs go in the job's workspace on an agent (the wire's
 * JobWorkspace: scenePath, files, pathMap), and which of the controller's files ship them:
 * - The workspace root is the common folder of the scene and its `//`-relative dependencies, so
 *   the scene keeps its real file name and `//textures/wood.png`, `//../lib/props.blend` and
 *   `//blendcache_<name>/` resolve there as on the artist's disk.
 * - A file named by an absolute path is placed at its place under the root when it lies there,
 *   otherwise under `external/<its path's folders>`; its folder is mapped (pathMap), and the
 *   agent rewrites Blender's paths at render time. Windows paths map lower-cased, as Windows
 *   compares them, so `C:\Tex` and `c:\tex` land in one place.
 * - Every file ships once by content hash, whatever its path.
 * - A file Blender may write while it renders (an unbaked disk point cache: the entry is
 *   `writable`) is placed as a copy (`copy: true`), never a hard link to the cache or the
 *   artist's file.
 * Missing entries are left out: the submit refused them or was told to render without them.
 */

export interface WorkspacePlan {
  /** The scene's place in the workspace, under its real file name. */
  scenePath: string;
  files: WorkspaceFile[];
  pathMap: PathMap[];
  /** The controller's file behind each distinct hash, in first-named order, for InputFiles to send. */
  inputFiles: { sha256: string; size: number; path: string }[];
}

/** A path the plan would have to place outside the workspace (it cannot: the wire refuses it). */
export class WorkspacePlanError extends Error {}

export function workspacePlan(scenePath: string, entries: readonly DependencyEntry[]): WorkspacePlan {
  const scene = resolve(scenePath);
  const present = entries.filter((e): e is DependencyEntry & { sha256: string; size: number } => !e.missing && e.sha256 !== null && e.size !== null);
  const relativeOnes = present.filter((e) => isBlendRelative(e.written));
  const root = commonFolder([dirname(scene), ...relativeOnes.map((e) => dirname(resolve(e.resolved)))]);

  const files = new Map<string, WorkspaceFile>();
  const pathMap = new Map<string, string>();
  const inputs = new Map<string, { sha256: string; size: number; path: string }>();
  for (const entry of present) {
    const local = resolve(entry.resolved);
    let place: string;
    if (isBlendRelative(entry.written)) {
      place = underRoot(root, local);
    } else {
      // The folder the scene wrote and the local folder it stands for: the file's own folder,
      // or for a cache or bake (written as a folder, its files listed) that folder.
      const folder = writtenFolder(entry, local);
      if (!folder) {
        place = isUnder(root, local) ? underRoot(root, local) : externalPlace(entry.written);
        pathMap.set(entry.written, place);
      } else if (folder.local === root && !FOLDER_KINDS.has(entry.kind)) {
        // Beside the scene: the root has no workspace path of its own, so the path itself is mapped.
        place = underRoot(root, local);
        pathMap.set(entry.written, (isWindowsPath(entry.written) ? win32 : posix).basename(entry.written));
      } else {
        const inRoot = isUnder(root, folder.local);
        const folderPlace = inRoot ? underRoot(root, folder.local) : externalPlace(folder.written);
        place = `${folderPlace}/${underRoot(folder.local, local)}`;
        pathMap.set(folder.written, folderPlace);
      }
    }
    checkPlace(place, entry.written);
    files.set(place, { path: place, sha256: entry.sha256, size: entry.size, ...(entry.writable ? { copy: true as const } : {}) });
    if (!inputs.has(entry.sha256)) inputs.set(entry.sha256, { sha256: entry.sha256, size: entry.size, path: local });
  }
  const planScene = underRoot(root, scene);
  checkPlace(planScene, scenePath);
  files.delete(planScene);
  return {
    scenePath: planScene,
    files: [...files.values()],
    pathMap: [...pathMap].map(([from, to]) => ({ from, to })),
    inputFiles: [...inputs.values()],
  };
}

/** `//textures/x.png`: relative to the .blend that names it (Blender's own prefix). */
function isBlendRelative(written: string): boolean {
  return written.startsWith('//');
}

function isWindowsPath(written: string): boolean {
  return /^[A-Za-z]:[\\/]/.test(written) || written.startsWith('\\\\');
}

/** Kinds written as a folder whose files the manifest lists one by one. */
const FOLDER_KINDS = new Set<DependencyKind>(['point-cache', 'bake']);

/**
 * For an absolute entry: the folder as written and the local folder holding the file under it,
 * or null when there is none to map (a file at a drive's or file system's root, the scene's own
 * folder as the workspace root).
 */
function writtenFolder(entry: DependencyEntry, local: string): { written: string; local: string } | null {
  const windows = isWindowsPath(entry.written);
  const path = windows ? win32 : posix;
  let written: string;
  let localFolder = dirname(local);
  if (FOLDER_KINDS.has(entry.kind)) {
    written = entry.written.replace(/[\\/]+$/, '');
    // The local folder that stands for it: the nearest one up from the file with its name.
    const name = path.basename(written);
    const same = (a: string, b: string) => (windows ? a.toLowerCase() === b.toLowerCase() : a === b);
    for (let dir = localFolder; dirname(dir) !== dir; dir = dirname(dir)) {
      if (same(basename(dir), name)) {
        localFolder = dir;
        break;
      }
    }
  } else {
    written = path.dirname(entry.written);
  }
  if (written === entry.written && !FOLDER_KINDS.has(entry.kind)) return null;
  if (/^[A-Za-z]:[\\/]?$/.test(written) || written === '/' || written === '' || /^\\\\[^\\]*\\?$/.test(written)) return null;
  return { written, local: localFolder };
}

/**
 * `C:\Tex\wood.png` → `external/c/tex/wood.png`, `\\nas\share\a.png` → `external/nas/share/a.png`,
 * `/mnt/tex/a.png` → `external/mnt/tex/a.png`: the same written folder always lands in the same
 * place, so one folder mapping serves every file under it.
 */
function externalPlace(written: string): string {
  const windows = isWindowsPath(written);
  const normal = windows ? win32.normalize(written) : posix.normalize(written);
  const segments = normal.split(windows ? /[\\/]+/ : /\/+/).filter((s) => s !== '' && s !== '.' && s !== '..')
    .map((s) => s.replace(/:$/, '').replace(/[<>:"|?*\u0000-\u001f\u007f]/g, '_'))
    .map((s) => (windows ? s.toLowerCase() : s));
  return ['external', ...segments].join('/');
}

function underRoot(root: string, local: string): string {
  return relative(root, local).split(sep).join('/');
}

function isUnder(root: string, local: string): boolean {
  const rel = relative(root, local);
  return rel !== '' && !rel.startsWith('..') && !isAbsolute(rel);
}

/** The deepest folder holding every one of these folders. */
function commonFolder(folders: string[]): string {
  let common = folders[0]!;
  for (const folder of folders.slice(1)) {
    while (!(folder === common || isUnder(common, folder))) {
      const up = dirname(common);
      if (up === common) break;
      common = up;
    }
  }
  return common;
}

function checkPlace(place: string, written: string): void {
  if (!isSafeWorkspacePath(place)) throw new WorkspacePlanError(`The file "${written}" cannot be given a place in the job's workspace (it would be "${place}"); rename its folder or file.`);
}
