import { randomBytes } from 'node:crypto';
import { mkdir, rename } from 'node:fs/promises';
import { join } from 'node:path';
import type { JobRecord } from '../model/job-model.js';
import type { OutputSink } from '../scheduler/scheduler-ports.js';
import { safeOutputPath } from './output-names.js';

/**
 * Outputs are ordinary files in the job's folder. Each arrives under a hidden temp name in
 * that same folder (so the final rename is atomic) and is renamed into place only after
 * the transfer verified its hash: a frame is either complete in the folder or absent.
 */
export const outputFolder: OutputSink = {
  async tempPathFor(job: JobRecord, name: string): Promise<string> {
    safeOutputPath(job.outputDir, name);
    await mkdir(job.outputDir, { recursive: true });
    return join(job.outputDir, `.farmhand-part-${randomBytes(6).toString('hex')}`);
  },
  async commit(job: JobRecord, name: string, tempPath: string): Promise<string> {
    const target = safeOutputPath(job.outputDir, name);
    await rename(tempPath, target);
    return target;
  },
};
