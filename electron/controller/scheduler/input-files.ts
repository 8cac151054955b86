import { stat } from 'node:fs/promises';
import type { JobRecord } from '../model/job-model.js';
import type { AgentLink } from '../agents/agent-link.js';

/**
 * The local files behind every job input, by content hash: what an agent may ask for with
 * `input.request`. Anything else is answered with `input.missing`, never with a file.
 */
export class InputFiles {
  private readonly files = new Map<string, { path: string; size: number }>();

  register(job: JobRecord): void {
    for (const file of job.inputFiles) this.files.set(file.sha256, file);
  }

  /** Streams the input to the agent; resolves with a problem to report, or null. */
  async send(link: AgentLink, sha256: string): Promise<string | null> {
    const file = this.files.get(sha256);
    const size = file ? await stat(file.path).then((s) => s.size, () => -1) : -1;
    if (!file || size !== file.size) {
      const reason = file ? `the file ${file.path} changed or is gone from the controller` : 'no job of this controller uses that input';
      link.send({ type: 'input.missing', sha256, reason });
      return file ? reason : null;
    }
    try {
      await link.sendFile(file.path, { sha256, size, name: 'input' });
      return null;
    } catch (error) {
      return `sending ${file.path} stopped: ${(error as Error).message}`;
    }
  }
}
