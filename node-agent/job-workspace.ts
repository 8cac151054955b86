import { randomBytes } from 'node:crypto';
import { constants as fsConstants } from 'node:fs';
import { copyFile, link, mkdir, realpath, rename, rm } from 'node:fs/promises';
import { basename, dirname, join, sep } from 'node:path';
import { isSafeWorkspacePath } from './protocol/index.js';

/**
 * A job's workspace on the agent: the scene under its real file name and every file it needs at
 * its place relative to it, as hard links into the input cache (copies where a link cannot be
 * made, e.g. across file systems). Blender then opens the scene at its real path, so `//` paths,
 * `blendcache_<name>/` and library-relative paths resolve as on the artist's disk. The
 * workspace is shared by the job's tasks on this agent. It is removed when the controller says
 * the job ended (`end`, once no task of the job holds a lease), and otherwise once none of them
 * has run for `idleMs`: the fallback for a controller that vanished. A later task of the job
 * (a requeue) simply builds it again.
 */

/** A file to place: where in the workspace, and which cached file (by hash) goes there. */
export interface PlacedFile {
  path: string;
  sha256: string;
  /** The file in the input cache. */
  source: string;
  /**
   * Blender may write this file (an unbaked point cache): placed as a copy (a reflink where the
   * file system has them), never a hard link, so the render cannot change the cached file under
   * its hash, nor, on the controller's own agent, the artist's file the cache links to.
   */
  copy?: boolean;
}

/** A workspace path that is not safe to join under the workspace (it would leave it, or could). */
export class WorkspacePathError extends Error {}

/** Where a placed workspace is. */
export interface PlacedWorkspace {
  /** The workspace's root folder. */
  root: string;
  /** The scene's absolute path inside it. */
  scenePath: string;
}

/**
 * A task's hold on its job's workspace, taken when the task starts (before its inputs arrive),
 * so a `job.ended` that comes meanwhile waits for the task instead of removing the folder under it.
 */
export interface JobLease {
  /** Places `files` (the scene first, at `scenePath`). Throws WorkspacePathError for a path that could leave the workspace. */
  place(scenePath: string, files: PlacedFile[]): Promise<PlacedWorkspace>;
  /** The task no longer needs the workspace (it stays until the job ends or has been idle for idleMs). */
  release(): void;
}

export interface WorkspaceLease extends PlacedWorkspace {
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
  /** The controller said the job ended: removed as soon as no task holds a lease. */
  ended: boolean;
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

  /** Leases the job's workspace to a task (synchronously: nothing placed yet, see JobLease). */
  lease(jobId: string): JobLease {
    const workspace = this.live(jobId);
    workspace.users++;
    workspace.ended = false; // a task of an ended job: the job was requeued, and is told to end again
    if (workspace.timer) clearTimeout(workspace.timer);
    workspace.timer = null;
    let released = false;
    const release = () => {
      if (released) return;
      released = true;
      workspace.users--;
      if (workspace.users > 0) return;
      if (workspace.ended) {
        void this.remove(jobId, workspace);
        return;
      }
      workspace.timer = setTimeout(() => void this.remove(jobId, workspace), this.idleMs);
      workspace.timer.unref();
    };
    const place = async (scenePath: string, files: PlacedFile[]): Promise<PlacedWorkspace> => {
      for (const file of files) checkPath(file.path);
      checkPath(scenePath);
      if (released) throw new Error('The task released its workspace before placing its files.');
      const placing = workspace.queue.then(() => placeAll(workspace, files));
      workspace.queue = placing.catch(() => undefined);
      await placing;
      return { root: workspace.root, scenePath: join(workspace.root, scenePath) };
    };
    return { place, release };
  }

  /** Leases the job's workspace and places `files` in it: `lease(jobId).place(…)`, released again if placing fails. */
  async acquire(jobId: string, scenePath: string, files: PlacedFile[]): Promise<WorkspaceLease> {
    for (const file of files) checkPath(file.path);
    checkPath(scenePath);
    const lease = this.lease(jobId);
    try {
      return { ...await lease.place(scenePath, files), release: lease.release };
    } catch (error) {
      lease.release();
      throw error;
    }
  }

  /**
   * The controller says the job ended: its workspace goes now if no task holds a lease, else
   * when the last one is released. Resolves once it is gone, or at once while a task holds it.
   */
  end(jobId: string): Promise<void> {
    const ws = this.workspaces.get(jobId);
    if (!ws || ws.removal) return ws?.removal ?? Promise.resolve();
    ws.ended = true;
    return ws.users === 0 ? this.remove(jobId, ws) : Promise.resolve();
  }

  /** The job's workspace entry, a new one when there is none or the last is being removed (the new one waits for that). */
  private live(jobId: string): Workspace {
    const current = this.workspaces.get(jobId);
    if (current && !current.removal) return current;
    const ws: Workspace = {
      root: join(this.dir, jobId.replace(/[^A-Za-z0-9._-]/g, '_')),
      users: 0,
      timer: null,
      placed: new Map(),
      queue: current?.removal ?? Promise.resolve(),
      removal: null,
      ended: false,
    };
    this.workspaces.set(jobId, ws);
    return ws;
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
    if (file.copy) await copyFile(file.source, temp, fsConstants.COPYFILE_FICLONE);
    else await link(file.source, temp).catch(() => copyFile(file.source, temp));
    await rename(temp, join(realParent, target.slice(parent.length + 1)));
  } catch (error) {
    await rm(temp, { force: true });
    throw error;
  }
}
