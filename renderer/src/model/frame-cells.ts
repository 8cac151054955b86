import type { JobFrame, TaskView } from '../../../electron/controller/api/contract.js';
import { STATE_WORDS } from './chunk-buckets.js';

/**
 * What one cell of the frame grid shows, and whether its thumbnail should be asked for.
 * A frame is rendered once its file has arrived (frames.list said so) or its task has
 * succeeded (a task event said so); only then can the controller make its thumbnail.
 */

/** A thumbnail the controller gave, or its reason for giving none. */
export interface FrameThumb {
  image: string | null;
  problem: string | null;
  /** The task's endedAt when asked: a problem is asked about again only once the task has ended anew (e.g. rerendered). */
  stamp: number | null;
}

export type FrameCell =
  | { kind: 'image'; frame: number; image: string }
  /** Rendered, thumbnail on its way. */
  | { kind: 'loading'; frame: number }
  /** Not rendered (yet): the task's state in words, e.g. "queued", "running 40%". */
  | { kind: 'waiting'; frame: number; status: string }
  | { kind: 'problem'; frame: number; message: string };

export function isRendered(frame: JobFrame, task: TaskView | undefined): boolean {
  return frame.rendered || task?.state === 'succeeded';
}

/** What the grid compares a stored problem with: the task's end time. */
export function stampOf(task: TaskView | undefined): number | null {
  return task?.endedAt ?? null;
}

export function needsThumbnail(frame: JobFrame, task: TaskView | undefined, thumb: FrameThumb | undefined): boolean {
  if (!isRendered(frame, task) || thumb?.image) return false;
  return !thumb || thumb.stamp !== stampOf(task);
}

export function frameCell(frame: JobFrame, task: TaskView | undefined, thumb: FrameThumb | undefined): FrameCell {
  if (thumb?.image) return { kind: 'image', frame: frame.frame, image: thumb.image };
  if (!isRendered(frame, task)) {
    const state = task?.state ?? 'queued';
    const status = state === 'running' ? `running ${Math.round(task!.progress * 100)}%` : STATE_WORDS[state];
    return { kind: 'waiting', frame: frame.frame, status };
  }
  if (thumb?.problem && thumb.stamp === stampOf(task)) return { kind: 'problem', frame: frame.frame, message: thumb.problem };
  return { kind: 'loading', frame: frame.frame };
}
