import { randomBytes } from 'node:crypto';
import { copyFile, link, mkdir, realpath, rename, rm } from 'node:fs/promises';
import { basename, dirname, join, sep } from 'node:path';
import { isSafeWorkspacePath } from './protocol/index.js';

/**
 * A job's workspace on the agent: the scene under its real file name and every file it needs at
 * its place relative to it, as hard links into the input cache (copies where a link cannot be
 * made, e.g. across file systems). Blender then opens the scene at its real path, so `//` paths,
 * `blendcache_<name>/` and library-relative paths resolve as on the artist's disk. The
 * workspace is shared by the job's tasks on this agent and removed once none of them has run
 * for `idleMs` (the agent is not told when a job ends; a later task simply builds it again).
 */

/** A file to place: where in the workspace, and which cached file (by hash) goes there. */
export interface PlacedFile {
  path: string;
  sha256: string;
  /** The file in the input cache. */
  source: string;
}

/** A workspace path that is not safe to join under the workspace (it would leave it, or could). */
export class WorkspacePathError extends Error {}

export interface WorkspaceLease {
  /** The workspace's root folder. */
  root: string;
  /** The scene's absolute path inside it. */
  scenePath: string;
  /** The task no longer needs the workspace (it stays until the job has been idle for idleMs). */
  release(): void;
}

interface Workspace {
  root: string;
  users: number;
  timer: NodeJS.Timeout | null;
  /** path → sha256 of what is placed there. */
  placed: Map<string, string>;
  /** Placement runs one at a time per workspace, so two tasks of a job never race on a path. */
  queue: Promise<unknown>;
  removal: Promise<void> | null;
}

export const DEFAULT_SCENE_PATH = 'scene.blend';

export class JobWorkspaces {
  private readonly workspaces = new Map<string, Workspace>();

  constructor(private readonly dir: string, private readonly idleMs = 10 * 60_000) {}

  /** A previous run's workspaces are stale: nothing of theirs is running. */
  async init(): Promise<void> {
    await rm(this.dir, { recursive: true, force: true });
    await mkdir(this.dir, { recursive: true });
  }

  /** The hashes every live workspace holds: the input cache must not evict them. */
  liveHashes(): Set<string> {
    const hashes = new Set<string>();
    for (const ws of this.workspaces.values()) for (const sha of ws.placed.values()) hashes.add(sha);
    return hashes;
  }

  /** Job ids with a workspace on disk (for tests and logs). */
  jobs(): string[] {
    return [...this.workspaces.keys()];
  }

  /**
   * Places `files` (the scene first, at `scenePath`) in the job's workspace and leases it to a
   * task. Throws WorkspacePathError for a path that could leave the workspace.
   */
  async acquire(jobId: string, scenePath: string, files: PlacedFile[]): Promise<WorkspaceLease> {
    for (const file of files) checkPath(file.path);
    checkPath(scenePath);
    let ws = this.workspaces.get(jobId);
    if (ws?.removal) {
      await ws.removal;
      ws = this.workspaces.get(jobId);
    }
    if (!ws) {
      ws = { root: join(this.dir, jobId.replace(/[^A-Za-z0-9._-]/g, '_')), users: 0, timer: null, placed: new Map(), queue: Promise.resolve(), removal: null };
      this.workspaces.set(jobId, ws);
    }
    const workspace = ws;
    workspace.users++;
    if (workspace.timer) clearTimeout(workspace.timer);
    workspace.timer = null;
    let released = false;
    const release = () => {
      if (released) return;
      released = true;
      workspace.users--;
      if (workspace.users === 0) {
        workspace.timer = setTimeout(() => void this.remove(jobId, workspace), this.idleMs);
        workspace.timer.unref();
      }
    };
    const placing = workspace.queue.then(() => placeAll(workspace, files));
    workspace.queue = placing.catch(() => undefined);
    try {
      await placing;
    } catch (error) {
      release();
      throw error;
    }
    return { root: workspace.root, scenePath: join(workspace.root, scenePath), release };
  }

  /** Removes every workspace now (the agent is closing). */
  async close(): Promise<void> {
    await Promise.all([...this.workspaces.entries()].map(([jobId, ws]) => this.remove(jobId, ws)));
  }

  private remove(jobId: string, ws: Workspace): Promise<void> {
    if (ws.timer) clearTimeout(ws.timer);
    ws.timer = null;
    ws.removal ??= ws.queue
      .then(() => rm(ws.root, { recursive: true, force: true }))
      .catch(() => undefined)
      .finally(() => {
        if (this.workspaces.get(jobId) === ws) this.workspaces.delete(jobId);
      });
    return ws.removal;
  }
}

function checkPath(path: string): void {
  if (!isSafeWorkspacePath(path)) throw new WorkspacePathError(`The task names the file "${path.slice(0, 200)}", which is not a path inside its workspace; the controller must send relative paths without "..".`);
}

async function placeAll(ws: Workspace, files: PlacedFile[]): Promise<void> {
  await mkdir(ws.root, { recursive: true });
  const realRoot = await realpath(ws.root);
  // The workspace folder itself must be the real one, not a link planted in its place.
  if (realRoot !== join(await realpath(dirname(ws.root)), basename(ws.root))) {
    throw new WorkspacePathError('The job\'s workspace folder is a symbolic link; remove it from the agent\'s data folder and give the task again.');
  }
  const folders = new Map<string, string>(); // each folder made and checked once per placement
  for (const file of files) {
    if (ws.placed.get(file.path) === file.sha256) continue;
    await place(ws.root, realRoot, file, folders);
    ws.placed.set(file.path, file.sha256);
  }
}

/**
 * Joins, then checks where the folder really is: a symlink planted in the workspace (by a render)
 * must not carry a file outside it. The file itself is renamed into place, which replaces a
 * symlink there instead of following it.
 */
async function place(root: string, realRoot: string, file: PlacedFile, folders: Map<string, string>): Promise<void> {
  const target = join(root, file.path);
  if (!target.startsWith(root + sep)) throw new WorkspacePathError(`The file "${file.path}" would leave the workspace; the controller must send relative paths without "..".`);
  const parent = dirname(target);
  let realParent = folders.get(parent);
  if (realParent === undefined) {
    await mkdir(parent, { recursive: true });
    realParent = await realpath(parent);
    if (realParent !== realRoot && !realParent.startsWith(realRoot + sep)) {
      throw new WorkspacePathError(`The folder of "${file.path}" leads outside the workspace (a symbolic link); the file was not placed.`);
    }
    folders.set(parent, realParent);
  }
  const temp = join(realParent, `.farmhand-${randomBytes(6).toString('hex')}`);
  try {
    await link(file.source, temp).catch(() => copyFile(file.source, temp));
    await rename(temp, join(realParent, target.slice(parent.length + 1)));
  } catch (error) {
    await rm(temp, { force: true });
    throw error;
  }
}
