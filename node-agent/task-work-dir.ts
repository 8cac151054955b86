import { mkdir, rm } from 'node:fs/promises';
import { join } from 'node:path';

/**
 * One task attempt's scratch folder, created only when a runner asks for it. A task that
 * writes no files (a quick check, a no-op) then costs no mkdir and no recursive rm — at
 * thousands of tasks a second those two calls were most of the agent's time per task.
 */
export class TaskWorkDir {
  private creation: Promise<string> | null = null;
  #path: string | null = null;

  constructor(private readonly root: string, private readonly taskId: string, private readonly attempt: number) {}

  /** `<root>/<taskId>__<attempt>`, worked out only when asked for (task ids are schema-checked; ':' is replaced so the name is portable). */
  get path(): string {
    this.#path ??= join(this.root, `${this.taskId.replace(/:/g, '_')}__${this.attempt}`);
    return this.#path;
  }

  /** True once a runner asked for the folder (it may still be being made). */
  get created(): boolean {
    return this.creation !== null;
  }

  /** Creates the folder (once) and resolves with its path. */
  ensure(): Promise<string> {
    this.creation ??= mkdir(this.path, { recursive: true }).then(() => this.path);
    return this.creation;
  }

  /** Removes the folder and everything in it, if it was ever created. Never rejects. */
  async remove(): Promise<void> {
    if (!this.creation) return;
    await this.creation.catch(() => undefined);
    await rm(this.path, { recursive: true, force: true }).catch(() => undefined);
  }
}
