import { stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { JobRecord } from '../model/job-model.js';
import type { AgentLink } from '../agents/agent-link.js';
import { folderFor } from '../outputs/output-folder.js';

/**
 * The local files behind every job input, by content hash: what an agent may ask for with
 * `input.request`. Anything else is answered with `input.missing`, never with a file.
 */
export class InputFiles {
  private readonly files = new Map<string, { path: string; size: number }>();

  /** Which agents have a file in their input cache (sent to them, or produced there and kept). */
  private readonly holders = new Map<string, Set<string>>();

  register(job: JobRecord): void {
    for (const file of job.inputFiles) this.files.set(file.sha256, file);
    for (const task of job.tasks) {
      if (task.state !== 'succeeded') continue;
      const dir = folderFor(job, task);
      for (const output of task.outputs) this.files.set(output.sha256, { path: join(dir, output.name), size: output.size });
    }
  }

  /** A collected output can be the input of a later task (a chunk for the join, frames for a video). */
  registerFile(file: { sha256: string; size: number; path: string }): void {
    this.files.set(file.sha256, file);
  }

  heldBy(sha256: string, agentId: string): void {
    let set = this.holders.get(sha256);
    if (!set) this.holders.set(sha256, (set = new Set()));
    set.add(agentId);
  }

  holds(sha256: string, agentId: string): boolean {
    return this.holders.get(sha256)?.has(agentId) ?? false;
  }

  /** The eligible agent that already holds the most bytes of these files, or null when none holds any. */
  bestHolder(files: { sha256: string; size: number }[], eligible: (agentId: string) => boolean): string | null {
    const bytes = new Map<string, number>();
    for (const file of files) {
      for (const agentId of this.holders.get(file.sha256) ?? []) bytes.set(agentId, (bytes.get(agentId) ?? 0) + file.size);
    }
    let best: string | null = null;
    let most = 0;
    for (const [agentId, n] of bytes) {
      if (n > most && eligible(agentId)) {
        best = agentId;
        most = n;
      }
    }
    return best;
  }

  /**
   * Streams the input to the agent (or gives it by `deliver`: the local agent takes it on disk);
   * resolves with a problem to report, or null.
   */
  async send(link: AgentLink, sha256: string, deliver = (path: string, file: { sha256: string; size: number }) => link.sendFile(path, { ...file, name: 'input' })): Promise<string | null> {
    const file = this.files.get(sha256);
    const size = file ? await stat(file.path).then((s) => s.size, () => -1) : -1;
    if (!file || size !== file.size) {
      const reason = file ? `the file ${file.path} changed or is gone from the controller` : 'no job of this controller uses that input';
      link.send({ type: 'input.missing', sha256, reason });
      return file ? reason : null;
    }
    try {
      await deliver(file.path, { sha256, size });
      return null;
    } catch (error) {
      return `sending ${file.path} stopped: ${(error as Error).message}`;
    }
  }
}
