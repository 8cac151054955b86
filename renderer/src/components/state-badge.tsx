import type { JobState, TaskState } from '../../../electron/controller/api/contract.js';
import { STATE_WORDS } from '../model/chunk-buckets.js';

/** A state as a word with a symbol and a colour, so it reads without colour too. */
const SYMBOLS: Record<JobState | TaskState, string> = {
  queued: '○',
  assigned: '◔',
  running: '▶',
  paused: '❚❚',
  succeeded: '✓',
  failed: '✕',
  canceled: '⊘',
};

export function StateBadge({ state }: { state: JobState | TaskState }) {
  // Jobs and tasks share the words (a task "assigned" reads "starting"); only jobs pause, and a state badge says "succeeded" in full.
  const word = state === 'paused' || state === 'succeeded' ? state : STATE_WORDS[state];
  return (
    <span className={`state state-${state}`}>
      <span aria-hidden="true" className="state-symbol">{SYMBOLS[state]}</span> {word}
    </span>
  );
}
