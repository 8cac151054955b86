import { InputError } from '../input-error.js';

/**
 * Frame lists: the text a user types to say which frames to render (`1-250`, `1-100x5`,
 * `3,5-10,47`, `100-1`), parsed into the frame numbers in the order given, and the reverse,
 * a compact label for a chunk of frames.
 *
 * Grammar (whitespace is allowed around every number, `-`, `x` and `,`):
 *
 *     list  = entry { "," entry }
 *     entry = frame | frame "-" frame [ "x" step ]
 *
 * A range may run high to low (`100-1` renders 100, 99, …, 1). Frames are whole numbers from 0
 * to Blender's MAXFRAME. Blender can render negative frames when a scene allows them, but
 * `-10--5` reads badly and `-5` looks like "up to 5", so Farmhand keeps `-` for ranges only
 * and says so when it sees a negative frame. A frame listed twice is rendered once, at its
 * first place in the list.
 */

/** Blender's MAXFRAME (`DNA_scene_types.h`): no scene can have a frame above it. */
export const MAX_FRAME = 1_048_574;

/** The default cap on the frames one list may name; a typo like `1-10000000` should fail, not hang. */
export const DEFAULT_MAX_FRAMES = 1_000_000;

const EXAMPLES = 'use lists like 1-250, 1-100x5 or 3,5-10,47';
const RANGE_HINT = 'write a range as first-last, like 1-250';
const STEP_HINT = 'like 1-100x5';

/** A frame list a user typed cannot be used; the message says which part and how to fix it. */
export class FrameListError extends InputError {
  override name = 'FrameListError';
}

/** One entry of the list, before it is expanded: `start` to `end` (either way round) every `step`. */
interface FrameRange {
  text: string;
  start: number;
  end: number;
  step: number;
}

/**
 * The frames a list names, in its order, each once. Throws a `FrameListError` for anything it
 * cannot read, and for lists naming more than `maxFrames` frames or a frame past `MAX_FRAME`;
 * shape errors are reported first, then the size (checked before any frame is listed).
 */
export function parseFrameList(input: string, o: { maxFrames?: number } = {}): number[] {
  const maxFrames = o.maxFrames ?? DEFAULT_MAX_FRAMES;
  if (!Number.isInteger(maxFrames) || maxFrames < 1) {
    throw new RangeError(`maxFrames must be a whole number of 1 or more, not ${maxFrames}.`);
  }
  if (input.trim() === '') throw new FrameListError(`The frame list is empty; ${EXAMPLES}.`);

  const list = quote(input.trim());
  const ranges = input.split(',').map((entry) => parseEntry(entry.trim(), list));
  return checkedFrames(ranges, list, maxFrames);
}

/**
 * A frame list read once, when a job is submitted: the text as the user gave it (kept in the
 * job's settings) and its frames, which travel on to the compiler so nothing parses it again.
 */
export interface FrameList {
  readonly text: string;
  readonly frames: number[];
}

/** `parseFrameList` keeping the text beside the frames; throws the same `FrameListError`s. */
export function readFrameList(text: string, o: { maxFrames?: number } = {}): FrameList {
  return { text, frames: parseFrameList(text, o) };
}

/**
 * The frames of a scene's own range (`frame_start` to `frame_end` every `frame_step`), held to
 * the same limits as a typed list and refused with the same sentences (a negative start, a
 * frame past MAX_FRAME), without writing the range out as text only to parse it back.
 */
export function rangeFrames(start: number, end: number, step: number, o: { maxFrames?: number } = {}): number[] {
  const every = step > 1 ? step : 1;
  const text = `${start}-${end}${every > 1 ? `x${every}` : ''}`; // names the range in error sentences
  if (start < 0) throw negative(quote(text), text);
  if (end < 0) throw negative(quote(text), String(end));
  return checkedFrames([{ text, start, end, step: every }], quote(text), o.maxFrames ?? DEFAULT_MAX_FRAMES);
}

/** The size and MAX_FRAME checks every list passes, then its frames. */
function checkedFrames(ranges: FrameRange[], list: string, maxFrames: number): number[] {
  // Counted from the ranges alone, so `1-1000000000` fails at once instead of filling memory.
  // Repeated frames count too: they are only found by listing the frames.
  const total = ranges.reduce((sum, r) => sum + rangeLength(r), 0);
  if (total > maxFrames) {
    throw new FrameListError(`Frame list ${list} would be ${count(total)} frames, more than the limit of ${count(maxFrames)}; render a smaller range.`);
  }
  for (const r of ranges) {
    const highest = Math.max(r.start, r.end);
    if (highest > MAX_FRAME) throw tooHigh(list, r.text, highest);
  }
  return expand(ranges);
}

function parseEntry(entry: string, list: string): FrameRange {
  if (entry === '') throw new FrameListError(`Frame list ${list} has an empty entry between commas; remove the extra comma.`);
  const bad = (why: string) => new FrameListError(`Frame list ${list}: ${quote(entry)} ${why}.`);

  // The step's "x" comes right after a number, so in `1-x` the "x" is a bad frame, not a step.
  const stepped = /^(.*?\d)\s*x(.*)$/is.exec(entry);
  const span = stepped ? stepped[1]!.trim() : entry;
  const stepText = stepped?.[2]!.trim();
  if (stepText !== undefined && /x/i.test(stepText)) throw bad(`has more than one "x"; give a step once, ${STEP_HINT}`);

  const [first, last] = splitRange(span, list, entry);
  const start = parseFrame(first, list, entry);
  if (last === undefined) {
    if (stepText !== undefined) throw bad(`has a step but no range; give a step to a range, ${STEP_HINT}`);
    return { text: entry, start, end: start, step: 1 };
  }
  const end = parseFrame(last, list, entry);
  const step = stepText === undefined ? 1 : parseStep(stepText, bad);
  return { text: entry, start, end, step };
}

/** `"1 - 10"` → `["1", "10"]`, `"7"` → `["7"]`; a leading or doubled `-` is a negative frame. */
function splitRange(span: string, list: string, entry: string): [string, string?] {
  if (span.startsWith('-')) throw negative(list, span);
  const dash = span.indexOf('-');
  if (dash < 0) return [span];
  const first = span.slice(0, dash).trim();
  const last = span.slice(dash + 1).trim();
  if (last === '') throw new FrameListError(`Frame list ${list}: ${quote(entry)} is missing its last frame; ${RANGE_HINT}.`);
  if (last.startsWith('-')) throw negative(list, last);
  if (last.includes('-')) throw new FrameListError(`Frame list ${list}: ${quote(entry)} has more than one "-"; ${RANGE_HINT}.`);
  return [first, last];
}

function parseFrame(text: string, list: string, entry: string): number {
  if (text === '') throw new FrameListError(`Frame list ${list}: ${quote(entry)} is missing a frame number; ${EXAMPLES}.`);
  if (!/^\d+$/.test(text)) throw new FrameListError(`Frame list ${list}: ${quote(text)} is not a frame number; ${EXAMPLES}.`);
  const frame = Number(text);
  // Beyond this the arithmetic below stops being exact; such a frame is far past MAX_FRAME anyway.
  if (!Number.isSafeInteger(frame)) throw tooHigh(list, entry, text);
  return frame;
}

function parseStep(text: string, bad: (why: string) => FrameListError): number {
  if (text === '') throw bad(`is missing its step after "x"; give a step, ${STEP_HINT}`);
  if (text.startsWith('-')) throw bad('has a negative step; to count down, write the range from high to low, like 100-1x2');
  if (!/^\d+$/.test(text)) throw bad(`has ${quote(text)} as its step, which is not a whole number; give a step ${STEP_HINT}`);
  const step = Number(text);
  if (step === 0) throw bad(`has a step of 0; the step must be 1 or more, ${STEP_HINT}`);
  return Number.isSafeInteger(step) ? step : Number.MAX_SAFE_INTEGER;
}

function rangeLength(r: FrameRange): number {
  return Math.floor(Math.abs(r.end - r.start) / r.step) + 1;
}

/** Every frame of the ranges, first occurrence only; all frames are already known to be ≤ MAX_FRAME. */
function expand(ranges: FrameRange[]): number[] {
  const frames: number[] = [];
  // One range never repeats a frame; for more, a byte per possible frame is cheaper than a Set.
  const seen = ranges.length > 1 ? new Uint8Array(MAX_FRAME + 1) : null;
  for (const r of ranges) {
    const delta = r.end >= r.start ? r.step : -r.step;
    for (let i = 0, n = rangeLength(r); i < n; i++) {
      const frame = r.start + i * delta;
      if (seen) {
        if (seen[frame]) continue;
        seen[frame] = 1;
      }
      frames.push(frame);
    }
  }
  return frames;
}

/**
 * The compact form of a list of frames, for labels: `1-4,9,20-22`, and `1-9x2` for three or more
 * frames an equal step apart. Runs are found in list order, so a descending chunk reads `100-97`,
 * and `parseFrameList(formatFrameList(frames))` gives the frames back. Two neighbours stay a pair
 * (`9,10`), as in Flamenco's labels: `9-10` is no shorter.
 */
export function formatFrameList(frames: readonly number[]): string {
  const parts: string[] = [];
  let i = 0;
  while (i < frames.length) {
    const first = frames[i]!;
    const step = (frames[i + 1] ?? first) - first;
    let j = i + 1;
    while (step !== 0 && j < frames.length && frames[j]! - frames[j - 1]! === step) j++;
    if (j - i >= 3) {
      const last = frames[j - 1]!;
      parts.push(Math.abs(step) === 1 ? `${first}-${last}` : `${first}-${last}x${Math.abs(step)}`);
      i = j;
    } else {
      // Too short to be a run: the next frame may start a better one (`1,2,4,6,8` → `1,2-8x2`).
      parts.push(String(first));
      i++;
    }
  }
  return parts.join(',');
}

function negative(list: string, text: string): FrameListError {
  const frame = /^-\s*[^\s-]*/.exec(text)?.[0].replace(/\s+/g, '') ?? text;
  return new FrameListError(`Frame list ${list}: ${quote(frame)} is a negative frame, but frames start at 0 and "-" only joins a range; ${EXAMPLES}.`);
}

function tooHigh(list: string, entry: string, frame: number | string): FrameListError {
  return new FrameListError(`Frame list ${list}: frame ${frame} in ${quote(entry)} is above Blender's last frame, ${MAX_FRAME}; use frames from 0 to ${MAX_FRAME}.`);
}

/** A quoted piece of user input, cut short so a pasted wall of text still gives a one-line message. */
function quote(text: string): string {
  return `"${text.length > 60 ? `${text.slice(0, 57)}…` : text}"`;
}

function count(n: number): string {
  return n.toLocaleString('en-US');
}
