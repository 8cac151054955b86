import { randomBytes } from 'node:crypto';
import { mkdir, rename, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { describeFile, type OutputRef } from '../../../node-agent/protocol/index.js';
import { jobWorkDir, type JobRecord, type TaskRecord } from '../model/job-model.js';
import type { OutputSink } from '../scheduler/scheduler-ports.js';
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
  async commit(job: JobRecord, task: TaskRecord, name: string, tempPath: string): Promise<string> {
    const target = safeOutputPath(folderFor(job, task), name);
    await rename(tempPath, target);
    return target;
  },
  async alreadyHas(job: JobRecord, task: TaskRecord, output: OutputRef): Promise<string | null> {
    const target = safeOutputPath(folderFor(job, task), output.name);
    const size = await stat(target).then((s) => (s.isFile() ? s.size : -1), () => -1);
    if (size !== output.size) return null;
    return (await describeFile(target, output.name)).sha256 === output.sha256 ? target : null;
  },
  async discardIntermediates(job: JobRecord): Promise<void> {
    if (job.tasks.some((t) => t.intermediate)) await rm(jobWorkDir(job), { recursive: true, force: true });
  },
};

/** Where a task's outputs go: the user's folder, or the job's work folder for intermediates. */
export function folderFor(job: JobRecord, task: TaskRecord): string {
  return task.intermediate ? jobWorkDir(job) : job.outputDir;
}
