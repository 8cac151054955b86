import { MAX_CHUNK_FRAMES } from '../chunk-frames.js';
import { DEFAULT_TARGET_CHUNK_MINUTES, STARTUP_SHARE } from './plan-defaults.js';

/**
 * The chunk planner: how many frames each chunk of a job gets, from what rendering costs.
 * Pure: the inputs are estimates (plan-inputs.ts gathers them), the output is chunk sizes in
 * the order the chunks are handed out.
 *
 * Why these rules (issue 19):
 * - Each chunk is one Blender process, whose start-up (1.8–2.6 s measured) is pure overhead:
 *   a chunk should be long enough that it is at most `STARTUP_SHARE` (5 %) of its time.
 * - The job ends when its last chunk does: the agents should finish within about one frame
 *   of each other. So the planner simulates the farm handing chunks out (the slot free first
 *   takes the next chunk, as the dispatcher does) and gives each slot its balanced share of
 *   what is left: the frames it can render while the others render theirs, start-ups counted.
 *   With several slots a chunk takes half of its share at most (guided self-scheduling): the
 *   rest stays queued, so the measured frames can still move it to whoever is faster; the
 *   chunks shrink toward the end. The 5 % floor stops the halving where start-ups would cost more.
 *   A slot whose speed nothing measured yet starts with a smaller chunk (`speedUnknown`).
 * - A chunk runs at most `targetChunkMs` (10 min by default), so a retry redoes little and the
 *   progress stays fine; and has at most MAX_CHUNK_FRAMES (the task spec's limit).
 * One slot alone has nothing to balance: it gets one chunk, unless its frames are long
 * enough to pass the target.
 */

export interface PlanSlot {
  /** Blender's start-up on this slot's agent (ms). */
  startupMs: number;
  /** One frame's render time on this slot (ms): the job's estimate scaled by the agent's speed. */
  frameMs: number;
  /** How long until the slot is free (the rest of the chunk it runs now), 0 when idle. */
  freeInMs?: number;
  /**
   * `frameMs` is a guess for this slot: neither the job nor an earlier one measured its agent.
   * Its first chunk is then at most `UNKNOWN_SPEED_SHARE` of an even share of the frames (and
   * no less than the 5 % start-up floor), since a running chunk cannot be cut: a slow agent
   * sized as an average one would end long after the others. Its next chunk follows its measures.
   */
  speedUnknown?: boolean;
}

/** The largest part of an even share (frames ÷ slots) a slot of unknown speed starts with. */
export const UNKNOWN_SPEED_SHARE = 0.25;

export interface PlanInput {
  /** Frames to plan (the queued ones). */
  frameCount: number;
  /** Every slot that can take the job's tasks (at least one is assumed). */
  slots: readonly PlanSlot[];
  /** The longest a chunk should run (ms); default `DEFAULT_TARGET_CHUNK_MINUTES`. */
  targetChunkMs?: number;
  /**
   * The slot asking for work now (an index into `slots`): the first chunk is sized for it and
   * is its, whoever the simulation would have served first. The dispatcher sizes each chunk
   * this way as it hands it out (scheduler/chunk-replanner.ts `fitHead`), so a fast agent never
   * takes a chunk sized for a slow one, nor the reverse.
   */
  askingSlot?: number;
}

/** Bounds the simulation whatever the inputs (a chunk per frame at most). */
const MAX_CHUNKS = 100_000;

/** Chunk sizes (frames) in hand-out order, summing to `frameCount`. */
export function planChunkSizes(input: PlanInput): number[] {
  const total = Math.max(0, Math.floor(input.frameCount));
  if (total === 0) return [];
  const targetMs = positive(input.targetChunkMs, DEFAULT_TARGET_CHUNK_MINUTES * 60_000);
  const slots = (input.slots.length > 0 ? input.slots : [{ startupMs: 0, frameMs: 1 }]).map((s) => ({
    startupMs: Math.max(0, finite(s.startupMs, 0)),
    frameMs: positive(s.frameMs, 1),
    free: Math.max(0, finite(s.freeInMs ?? 0, 0)),
    // One slot has nothing to balance; an unknown slot's cap holds for its first chunk only.
    capped: s.speedUnknown === true && input.slots.length > 1,
  }));
  const unknownCap = Math.max(1, Math.ceil((total / slots.length) * UNKNOWN_SPEED_SHARE));
  const asking = input.askingSlot !== undefined && input.askingSlot >= 0 && input.askingSlot < slots.length ? input.askingSlot : null;
  if (asking !== null) slots[asking]!.free = 0; // it asks now
  const sizes: number[] = [];
  let left = total;
  while (left > 0 && sizes.length < MAX_CHUNKS) {
    const i = sizes.length === 0 && asking !== null ? asking : firstFree(slots);
    const slot = slots[i]!;
    const share = balancedShare(i, left, slots);
    const floor = Math.ceil((slot.startupMs * (1 - STARTUP_SHARE)) / STARTUP_SHARE / slot.frameMs);
    const hedged = slots.length > 1 ? Math.ceil(share / 2) : share;
    const longest = Math.min(MAX_CHUNK_FRAMES, Math.max(1, Math.floor((targetMs - slot.startupMs) / slot.frameMs)));
    const size = Math.max(1, Math.min(left, share, longest, Math.max(floor, slot.capped ? Math.min(hedged, unknownCap) : hedged)));
    slot.capped = false;
    sizes.push(size);
    left -= size;
    slot.free += slot.startupMs + size * slot.frameMs;
  }
  if (left > 0) sizes.push(left); // only past MAX_CHUNKS
  return sizes;
}

/** Splits `frames` (in their order) into chunks of `sizes`. */
export function chunksOfSizes<T>(frames: readonly T[], sizes: readonly number[]): T[][] {
  const chunks: T[][] = [];
  let at = 0;
  for (const size of sizes) {
    if (at >= frames.length) break;
    chunks.push(frames.slice(at, at + size));
    at += size;
  }
  if (at < frames.length) chunks.push(frames.slice(at));
  return chunks;
}

/** The slot free soonest (ties: the lower index, as the planner's simulation and its tests assume). */
function firstFree(slots: readonly { free: number }[]): number {
  let best = 0;
  for (let i = 1; i < slots.length; i++) if (slots[i]!.free < slots[best]!.free) best = i;
  return best;
}

/**
 * The frames slot `i` would render if the `left` frames were shared so that every slot ends
 * at the same time T, each starting one more chunk when it is free: Σ max(0, T − free − startup) / frameMs = left.
 * At least 1: the slot asks for work now, and a frame is the least it can be given.
 */
function balancedShare(i: number, left: number, slots: readonly { startupMs: number; frameMs: number; free: number }[]): number {
  const starts = slots.map((s) => ({ at: s.free + s.startupMs, rate: 1 / s.frameMs })).sort((a, b) => a.at - b.at);
  // T lies where the frames done by the slots started so far reach `left`: a piecewise linear sum.
  let rate = 0;
  let base = 0; // Σ at × rate of the slots started
  let end = Infinity;
  for (let k = 0; k < starts.length; k++) {
    rate += starts[k]!.rate;
    base += starts[k]!.at * starts[k]!.rate;
    const t = (left + base) / rate;
    const next = starts[k + 1]?.at ?? Infinity;
    if (t <= next) {
      end = t;
      break;
    }
  }
  const slot = slots[i]!;
  return Math.max(1, Math.round((end - slot.free - slot.startupMs) / slot.frameMs));
}

function finite(value: number, fallback: number): number {
  return Number.isFinite(value) ? value : fallback;
}

function positive(value: number | undefined, fallback: number): number {
  return value !== undefined && Number.isFinite(value) && value > 0 ? value : fallback;
}
