import { randomBytes } from 'node:crypto';
import { link, mkdir, rename, rm, stat, unlink } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { describeFile, type OutputRef } from '../../../node-agent/protocol/index.js';
import { freeBytes } from '../disk/disk-space.js';
import { jobWorkDir, type JobRecord, type TaskRecord } from '../model/job-model.js';
import type { OutputSink } from '../scheduler/scheduler-ports.js';
import { OutputConflictError } from './output-conflict-error.js';
import { safeOutputPath } from './output-names.js';

/**
 * Outputs are ordinary files in the job's folder. Each arrives under a hidden temp name in
 * that same folder (so the final rename is atomic) and is renamed into place only after
 * the transfer verified its hash: a frame is either complete in the folder or absent.
 */
export const outputFolder: OutputSink = {
  async tempPathFor(job: JobRecord, task: TaskRecord, name: string): Promise<string> {
    const dir = folderFor(job, task);
    safeOutputPath(dir, name);
    await mkdir(dir, { recursive: true });
    return join(dir, `.farmhand-part-${randomBytes(6).toString('hex')}`);
  },
  /**
   * Puts a verified file in place without ever replacing another task's: the file is hard-linked
   * to its name, which fails (EEXIST) instead of replacing whatever is there, atomically, also
   * against other processes writing the folder. Only then is the existing file looked at:
   * another task's of this job stays, and the commit fails naming both tasks; anything else (this
   * task's earlier attempt, a render of an earlier job into the same folder) is replaced by a
   * rename, as a re-render should, unless it already holds these very bytes. Where the file
   * system has no hard links (some network shares), an exists-check before the rename stands in
   * for the link: a process outside the farm writing the same name in that instant could then be
   * overwritten, which the farm's own commits cannot cause (each name belongs to one task).
   */
  async commit(job: JobRecord, task: TaskRecord, file: { name: string; sha256: string }, tempPath: string): Promise<string> {
    const target = safeOutputPath(folderFor(job, task), file.name);
    if (file.name.includes('/')) await mkdir(dirname(target), { recursive: true }); // a File Output pass keeps its folders (passes/…)
    if (await placeUnlessTaken(tempPath, target)) return target;
    const owner = otherTaskThatCommitted(job, task, file.name);
    const existing = await describeFile(target, file.name).then((f) => f.sha256, () => null);
    if (owner) {
      await rm(tempPath, { force: true });
      throw new OutputConflictError(file.name, task, owner, existing !== null && existing !== file.sha256);
    }
    if (existing === file.sha256) await rm(tempPath, { force: true });
    else await rename(tempPath, target);
    return target;
  },
  async alreadyHas(job: JobRecord, task: TaskRecord, output: OutputRef): Promise<string | null> {
    const target = safeOutputPath(folderFor(job, task), output.name);
    const size = await stat(target).then((s) => (s.isFile() ? s.size : -1), () => -1);
    if (size !== output.size) return null;
    return (await describeFile(target, output.name)).sha256 === output.sha256 ? target : null;
  },
  freeBytes(job: JobRecord, task: TaskRecord): Promise<number> {
    return freeBytes(folderFor(job, task));
  },
  async discardIntermediates(job: JobRecord): Promise<void> {
    if (job.tasks.some((t) => t.intermediate)) await rm(jobWorkDir(job), { recursive: true, force: true });
  },
};

/** Moves the temp file to `target` unless a file is there already (then false, and the temp file stays). */
async function placeUnlessTaken(tempPath: string, target: string): Promise<boolean> {
  try {
    await link(tempPath, target);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? '';
    if (code === 'EEXIST') return false;
    if (!NO_HARD_LINKS.has(code)) throw error;
    if (await stat(target).then(() => true, () => false)) return false;
    await rename(tempPath, target);
    return true;
  }
  await unlink(tempPath);
  return true;
}

/** link() errors that mean the file system cannot hard-link at all (FAT, exFAT, some SMB mounts). */
const NO_HARD_LINKS = new Set(['EPERM', 'ENOTSUP', 'EOPNOTSUPP', 'ENOSYS', 'EMLINK']);

/** The task of this job, other than `task`, that already put `name` into the same folder. */
function otherTaskThatCommitted(job: JobRecord, task: TaskRecord, name: string): TaskRecord | undefined {
  const folder = folderFor(job, task);
  return job.tasks.find((t) => t.id !== task.id && t.collected.includes(name) && folderFor(job, t) === folder);
}

/** Where a task's outputs go: the user's folder, or the job's work folder for intermediates. */
export function folderFor(job: JobRecord, task: TaskRecord): string {
  return task.intermediate ? jobWorkDir(job) : job.outputDir;
}
