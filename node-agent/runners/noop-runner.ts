import { randomBytes } from 'node:crypto';
import { open } from 'node:fs/promises';
import { basename, join } from 'node:path';
import type { NoopTaskSpec } from '../protocol/index.js';
import type { TaskStop } from '../task-stop.js';
import type { TaskWorkDir } from '../task-work-dir.js';
import { TaskCanceledError, TaskFailedError } from './task-errors.js';

/**
 * A task that only waits and reports: it measures the farm's own overhead (dispatch,
 * transfer, store) with no renderer in the way. Agents run it only with --allow-noop.
 */
export async function runNoopTask(o: { spec: NoopTaskSpec; workDir: TaskWorkDir; stop: Pick<TaskStop, 'stopped' | 'signal'>; onLog?(line: string): void }): Promise<{ outputs: string[] }> {
  const { spec, stop } = o;
  if (spec.log) o.onLog?.(spec.log);
  if (spec.durationMs) await abortableDelay(spec.durationMs, stop.signal); // only a waiting task needs a signal
  if (stop.stopped) throw new TaskCanceledError('canceled');
  if (spec.failWith) throw new TaskFailedError(spec.failWith, { unrecoverable: spec.unrecoverable ?? false });
  if (!spec.outputBytes) return { outputs: [] };
  const dir = await o.workDir.ensure(); // only now: a task that writes nothing needs no folder
  const path = join(dir, `${basename(dir)}.bin`); // unique per task attempt
  const file = await open(path, 'w');
  try {
    const block = randomBytes(Math.min(spec.outputBytes, 1024 * 1024));
    for (let written = 0; written < spec.outputBytes; ) {
      const n = Math.min(block.length, spec.outputBytes - written);
      await file.write(block, 0, n);
      written += n;
    }
  } finally {
    await file.close();
  }
  return { outputs: [path] };
}

function abortableDelay(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal.aborted) return reject(new TaskCanceledError('canceled'));
    const timer = setTimeout(resolve, ms);
    signal.addEventListener('abort', () => {
      clearTimeout(timer);
      reject(new TaskCanceledError('canceled'));
    }, { once: true });
  });
}
