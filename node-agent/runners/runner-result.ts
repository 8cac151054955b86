import type { OutputRef } from '../protocol/index.js';

/**
 * What a runner made: its output files, and the refs (size, sha256) of those it already read
 * while checking them, so the executor does not read a large output (a joined video) twice.
 */
export interface RunnerResult {
  outputs: string[];
  described?: ReadonlyMap<string, OutputRef>;
  /** What the tool said was wrong but did not stop it (a modifier error, a driver error): carried in task.done. */
  warnings?: string[];
}
