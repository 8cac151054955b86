/**
 * The frame viewer's decisions that need no browser: which frame a step or the flipbook goes
 * to, which frames to fetch ahead, what the scrubber marks, and the pace. Frames are handled by
 * their position in the job's frame list (render order, as frames.list gives them), since a
 * frame list may skip numbers (`1-100x4`, `3,7,12`).
 */

/** The position `delta` steps from `index`, kept within the list (every frame, rendered or not). */
export function stepIndex(count: number, index: number, delta: number): number {
  if (count === 0) return 0;
  return Math.max(0, Math.min(count - 1, index + delta));
}

/** The first rendered position after `index`, or null at the end: the flipbook's next frame. */
export function nextRendered(count: number, isRendered: (index: number) => boolean, index: number): number | null {
  for (let i = index + 1; i < count; i++) if (isRendered(i)) return i;
  return null;
}

/** Where play starts: here if rendered and not the last rendered frame, else the first rendered frame. */
export function playStart(count: number, isRendered: (index: number) => boolean, index: number): number | null {
  if (isRendered(index) && nextRendered(count, isRendered, index) !== null) return index;
  return nextRendered(count, isRendered, -1);
}

/**
 * The positions to have loaded, most wanted first: the one shown, then the next `ahead`
 * rendered ones (the flipbook's next frames), then `behind` rendered ones before it (a step
 * back). Frames not rendered have nothing to fetch and are skipped.
 */
export function preloadOrder(count: number, isRendered: (index: number) => boolean, index: number, ahead: number, behind = 1): number[] {
  const order: number[] = [];
  if (index >= 0 && index < count && isRendered(index)) order.push(index);
  for (let i = index + 1, n = 0; i < count && n < ahead; i++) {
    if (isRendered(i)) {
      order.push(i);
      n++;
    }
  }
  for (let i = index - 1, n = 0; i >= 0 && n < behind; i--) {
    if (isRendered(i)) {
      order.push(i);
      n++;
    }
  }
  return order;
}

export type MarkState = 'rendered' | 'partial' | 'missing';

/** One mark on the scrubber: a frame, or a run of neighbouring frames on a long job. */
export interface ScrubberMark {
  key: string;
  /** Positions from…to (inclusive) in the frame list. */
  from: number;
  to: number;
  state: MarkState;
  /** Its tooltip: "frame 7: rendered", "frames 1–40: 12 of 40 rendered". */
  label: string;
}

/**
 * The scrubber's marks: one per frame up to `maxMarks`, else runs of frames, each saying
 * whether all, some or none of its frames are rendered. The marks differ in height and fill,
 * not only in colour (frame-viewer.css), and the same facts are in text beside them.
 */
export function scrubberMarks(frames: readonly number[], isRendered: (index: number) => boolean, maxMarks = 200): ScrubberMark[] {
  if (frames.length === 0) return [];
  const size = Math.ceil(frames.length / Math.max(1, maxMarks));
  const marks: ScrubberMark[] = [];
  for (let from = 0; from < frames.length; from += size) {
    const to = Math.min(frames.length, from + size) - 1;
    let rendered = 0;
    for (let i = from; i <= to; i++) if (isRendered(i)) rendered++;
    const total = to - from + 1;
    const state: MarkState = rendered === total ? 'rendered' : rendered === 0 ? 'missing' : 'partial';
    const label = total === 1 ? `frame ${frames[from]}: ${rendered ? 'rendered' : 'not rendered yet'}` : `frames ${frames[from]}–${frames[to]}: ${rendered} of ${total} rendered`;
    marks.push({ key: String(from), from, to, state, label });
  }
  return marks;
}

/** "1–3, 7, 9–12" (at most `maxRuns` runs, then "…"): which frames are rendered, in words. */
export function frameRuns(frames: readonly number[], isRendered: (index: number) => boolean, maxRuns = 8): string {
  const runs: string[] = [];
  let start = -1;
  let more = false;
  for (let i = 0; i <= frames.length; i++) {
    const on = i < frames.length && isRendered(i);
    if (on && start < 0) start = i;
    if (!on && start >= 0) {
      if (runs.length === maxRuns) {
        more = true;
        break;
      }
      runs.push(start === i - 1 ? `${frames[start]}` : `${frames[start]}–${frames[i - 1]}`);
      start = -1;
    }
  }
  if (runs.length === 0) return 'none yet';
  return more ? `${runs.join(', ')}, …` : runs.join(', ');
}

/** The pace of the flipbook: the scene's fps from the job's settings, else 24 (and said so). */
export function flipbookFps(settings: Record<string, unknown> | null | undefined): { fps: number; known: boolean } {
  const fps = settings?.fps;
  if (typeof fps === 'number' && Number.isFinite(fps) && fps > 0 && fps <= 1000) return { fps, known: true };
  return { fps: 24, known: false };
}

/** "24 fps", "29.97 fps". */
export function fpsText(fps: number): string {
  return `${Math.round(fps * 100) / 100} fps`;
}

/** "0 stops", "+1.5 stops", "−2 stops", "+1 stop". */
export function exposureText(stops: number): string {
  if (stops === 0) return '0 stops';
  const size = Math.abs(stops);
  return `${stops > 0 ? '+' : '−'}${size} ${size === 1 ? 'stop' : 'stops'}`;
}

/**
 * Frames shown per second over a run of show times (ms), or null when too few to say: what
 * the flipbook really achieved, shown beside the scene's rate.
 */
export function measuredFps(shownAt: readonly number[]): number | null {
  if (shownAt.length < 3) return null;
  const span = shownAt[shownAt.length - 1]! - shownAt[0]!;
  return span > 0 ? ((shownAt.length - 1) * 1000) / span : null;
}
