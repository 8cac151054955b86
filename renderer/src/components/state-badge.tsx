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
  const word = state === 'paused' ? 'paused' : state === 'succeeded' ? 'succeeded' : STATE_WORDS[state as TaskState] ?? state;
  return (
    <span className={`state state-${state}`}>
      <span aria-hidden="true" className="state-symbol">{SYMBOLS[state]}</span> {word}
    </span>
  );
}
