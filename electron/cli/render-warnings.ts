import type { TaskSpec } from '../../node-agent/protocol/index.js';

/**
 * The one-shot render's warning summary: a render that succeeded with warnings still exits 0
 * (the frames are there), but the user is told, in one line per distinct warning, instead of
 * the warnings staying in task logs. The same modifier error on every chunk is said once.
 */

/** At most this many distinct warnings are printed; the rest are counted. */
const SHOWN = 5;

export interface RenderWarnings {
  /** Frames of the tasks that warned. */
  frames: number;
  /** Distinct warnings, in task order. */
  warnings: string[];
}

/** A task as far as its warnings go: what it renders and what it warned (a TaskRecord fits). */
export interface WarnedTask {
  spec: TaskSpec;
  warnings?: string[];
}

export function renderWarnings(tasks: readonly WarnedTask[]): RenderWarnings {
  const distinct = new Set<string>();
  // Distinct frames: the tiles of a tiled still (--tiles) all render the same one.
  const frames = new Set<number>();
  for (const task of tasks) {
    if (!task.warnings?.length) continue;
    if (task.spec.type === 'blender') for (const frame of task.spec.frames) frames.add(frame);
    for (const warning of task.warnings) distinct.add(warning);
  }
  return { frames: frames.size, warnings: [...distinct] };
}

/** `12 frame(s) rendered with warnings: …`, then one indented line per further warning; null when there are none. */
export function formatRenderWarnings(w: RenderWarnings): string | null {
  if (w.warnings.length === 0) return null;
  const [first, ...rest] = w.warnings;
  const lines = [`${w.frames} frame(s) rendered with warnings: ${first}`];
  for (const warning of rest.slice(0, SHOWN - 1)) lines.push(`  ${warning}`);
  if (rest.length > SHOWN - 1) lines.push(`  …and ${rest.length - (SHOWN - 1)} more warning(s).`);
  return lines.join('\n');
}
