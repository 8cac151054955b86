import type { TaskRecord } from './job-model.js';

/**
 * What a job's tasks warned about, for its summary: how many distinct warnings (the same
 * modifier error on 200 frames is one thing to fix, not 200) and the first one, in task order.
 * Absent when there are none, so a clean job's summary is unchanged.
 */
export interface JobWarnings {
  warningCount?: number;
  firstWarning?: string;
}

export function jobWarnings(tasks: readonly TaskRecord[]): JobWarnings {
  const distinct = new Set<string>();
  for (const task of tasks) for (const warning of task.warnings ?? []) distinct.add(warning);
  if (distinct.size === 0) return {};
  return { warningCount: distinct.size, firstWarning: distinct.values().next().value as string };
}
