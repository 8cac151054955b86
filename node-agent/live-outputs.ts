import { basename } from 'node:path';
import { describeFile, type OutputRef } from './protocol/index.js';

/**
 * Sends a running task's finished outputs to the controller one by one as they appear (a
 * rendered frame the moment Blender saved it), so the wrangler sees frames while a chunk
 * renders and, when the task ends, only its last frame is left to send. One at a time, in
 * order: a render makes frames far slower than the LAN carries them, and one stream keeps
 * the connection's back-pressure simple. A send that fails costs nothing: the file is still
 * held and sent after the task like any other.
 */
export class LiveOutputs {
  private chain: Promise<void> = Promise.resolve();
  private readonly refs = new Map<string, OutputRef>();
  private readonly seen = new Set<string>();

  constructor(
    private readonly task: { taskId: string; attempt: number },
    private readonly sendFile: (path: string, ref: OutputRef, task: { taskId: string; attempt: number }) => Promise<boolean>,
    private readonly log: (line: string) => void,
  ) {}

  add(path: string): void {
    if (this.seen.has(path)) return;
    this.seen.add(path);
    this.chain = this.chain.then(async () => {
      try {
        const ref = await describeFile(path, basename(path));
        this.refs.set(path, ref);
        await this.sendFile(path, ref, this.task);
      } catch (error) {
        this.log(`task ${this.task.taskId}: ${basename(path)} will be sent after the task (${(error as Error).message})`);
      }
    });
  }

  /**
   * Resolves once every send so far has finished, with the hashes taken: the task's files are
   * moved into the hold only after that, so no file moves while it is being read.
   */
  async settled(): Promise<Map<string, OutputRef>> {
    await this.chain;
    return this.refs;
  }
}
