import { mkdir, readdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import type { HeldTask, OutputRef } from './protocol/index.js';

/**
 * Finished outputs wait here until the controller acknowledges it has them (`output.ack`),
 * so neither a dropped connection nor a controller crash loses a frame. One folder per
 * `(taskId, attempt)` with a manifest written last: a folder without a manifest is an
 * interrupted hand-over and is discarded at start-up.
 *
 * A task that produced no files has nothing to lose on disk, so its result is held in memory
 * only: it still waits for `output.ack` and is listed in every hello (a controller that
 * reconnects collects it), but it costs no folder, manifest or rm per task. Only if the agent
 * itself dies before the controller heard of it is it forgotten, and the controller then
 * runs it again (nothing was stored, so nothing can be stored twice).
 */
export class OutputHold {
  private readonly dir: string;
  private readonly held = new Map<string, HeldTask>();

  constructor(dataDir: string) {
    this.dir = join(dataDir, 'held');
  }

  async init(): Promise<void> {
    await mkdir(this.dir, { recursive: true });
    for (const entry of await readdir(this.dir)) {
      const manifest = await readFile(join(this.dir, entry, 'manifest.json'), 'utf8').catch(() => null);
      if (!manifest) {
        await rm(join(this.dir, entry), { recursive: true, force: true });
        continue;
      }
      const task = JSON.parse(manifest) as HeldTask;
      this.held.set(entry, task);
    }
  }

  list(): HeldTask[] {
    return [...this.held.values()];
  }

  get(taskId: string, attempt: number): { task: HeldTask; pathOf(output: OutputRef): string } | null {
    const key = folderName(taskId, attempt);
    const task = this.held.get(key);
    if (!task) return null;
    return { task, pathOf: (output) => join(this.dir, key, output.name) };
  }

  /** Moves finished files (same file system: the task's work folder) into the hold. */
  async hold(task: Omit<HeldTask, 'outputs'>, files: { path: string; ref: OutputRef }[]): Promise<HeldTask> {
    const key = folderName(task.taskId, task.attempt);
    if (files.length === 0) {
      const held: HeldTask = { ...task, outputs: [] };
      this.held.set(key, held);
      return held;
    }
    const folder = join(this.dir, key);
    await rm(folder, { recursive: true, force: true });
    await mkdir(folder, { recursive: true });
    for (const file of files) {
      // A relative name (`passes/fg_0001.png`) keeps its folders.
      if (file.ref.name.includes('/')) await mkdir(dirname(join(folder, file.ref.name)), { recursive: true });
      await rename(file.path, join(folder, file.ref.name));
    }
    const held: HeldTask = { ...task, outputs: files.map((f) => f.ref) };
    await writeFile(join(folder, 'manifest.json'), JSON.stringify(held));
    this.held.set(key, held);
    return held;
  }

  async release(taskId: string, attempt: number): Promise<void> {
    const key = folderName(taskId, attempt);
    const task = this.held.get(key);
    if (!task) return;
    this.held.delete(key);
    if (task.outputs.length > 0) await rm(join(this.dir, key), { recursive: true, force: true });
  }
}

/** Task ids are schema-checked (`[A-Za-z0-9._:-]`); ':' is replaced so the name is portable. */
function folderName(taskId: string, attempt: number): string {
  return `${taskId.replace(/:/g, '_')}__${attempt}`;
}
