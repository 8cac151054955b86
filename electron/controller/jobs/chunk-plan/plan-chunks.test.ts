import { test } from 'node:test';
import assert from 'node:assert/strict';
import { chunksOfSizes, planChunkSizes, type PlanSlot } from './plan-chunks.js';
import { DEFAULT_FRAME_MS, DEFAULT_STARTUP_MS, STARTUP_SHARE } from './plan-defaults.js';

/** Hands `sizes` out as the dispatcher does: the slot free first takes the next chunk. Each slot's end time. */
function simulate(sizes: readonly number[], slots: readonly PlanSlot[]): { ends: number[]; chunks: number[][] } {
  const ends = slots.map((s) => s.freeInMs ?? 0);
  const chunks: number[][] = slots.map(() => []);
  for (const size of sizes) {
    let i = 0;
    for (let k = 1; k < ends.length; k++) if (ends[k]! < ends[i]!) i = k;
    ends[i]! += slots[i]!.startupMs + size * slots[i]!.frameMs;
    chunks[i]!.push(size);
  }
  return { ends, chunks };
}

const sum = (xs: readonly number[]) => xs.reduce((a, b) => a + b, 0);

test('one agent with one slot renders the README job (48 short frames) as one chunk', () => {
  assert.deepEqual(planChunkSizes({ frameCount: 48, slots: [{ startupMs: 2200, frameMs: 500 }] }), [48]);
  // Before anything is measured (the defaults) it is one chunk too: 48 × 10 s is under the 10-min target.
  assert.deepEqual(planChunkSizes({ frameCount: 48, slots: [{ startupMs: DEFAULT_STARTUP_MS, frameMs: DEFAULT_FRAME_MS }] }), [48]);
});

test('one slot with long frames gets chunks of at most the target time, evenly', () => {
  // 2-minute frames, 10-minute target: 4 frames a chunk (start-up included).
  const sizes = planChunkSizes({ frameCount: 20, slots: [{ startupMs: 2000, frameMs: 120_000 }] });
  assert.deepEqual(sizes, [4, 4, 4, 4, 4]);
  // --target-chunk-minutes 30: 14 frames fit.
  assert.deepEqual(planChunkSizes({ frameCount: 20, slots: [{ startupMs: 2000, frameMs: 120_000 }], targetChunkMs: 30 * 60_000 }), [14, 6]);
});

test('two equal agents with short frames get one chunk each: start-ups would cost more than any split saves', () => {
  const slots = [{ startupMs: 2500, frameMs: 300 }, { startupMs: 2500, frameMs: 300 }];
  const sizes = planChunkSizes({ frameCount: 20, slots });
  assert.deepEqual(sizes, [10, 10]);
  assert.deepEqual(simulate(sizes, slots).ends, [5500, 5500]);
});

test('two agents of unequal speed finish together, within one frame of the slower', () => {
  for (const [frames, fast, slow] of [[60, 1000, 2000], [200, 30_000, 60_000], [37, 4000, 9000], [500, 700, 2100]] as const) {
    const slots = [{ startupMs: 2000, frameMs: fast }, { startupMs: 2400, frameMs: slow }];
    const sizes = planChunkSizes({ frameCount: frames, slots });
    assert.equal(sum(sizes), frames);
    const { ends } = simulate(sizes, slots);
    assert.ok(Math.abs(ends[0]! - ends[1]!) <= slow, `${frames} frames at ${fast}/${slow} ms end at ${ends.join(' and ')}`);
  }
});

test('the slower agent gets fewer frames, the faster more', () => {
  const slots = [{ startupMs: 2000, frameMs: 1000 }, { startupMs: 2000, frameMs: 3000 }];
  const { chunks } = simulate(planChunkSizes({ frameCount: 80, slots }), slots);
  assert.ok(sum(chunks[0]!) > 2.5 * sum(chunks[1]!), JSON.stringify(chunks));
});

test('chunks keep start-up under 5 % of their time, except the shrinking tail that balances the end', () => {
  const slots = [{ startupMs: 2000, frameMs: 30_000 }, { startupMs: 2000, frameMs: 30_000 }, { startupMs: 2000, frameMs: 30_000 }];
  const sizes = planChunkSizes({ frameCount: 1000, slots });
  const overheadOk = (size: number) => 2000 <= STARTUP_SHARE * (2000 + size * 30_000) + 1e-9;
  const firstSmall = sizes.findIndex((s) => !overheadOk(s));
  assert.ok(firstSmall > sizes.length * 0.8, `chunks ${sizes.join(',')}`);
  // Every chunk stays within the 10-minute target.
  assert.ok(sizes.every((s) => 2000 + s * 30_000 <= 600_000));
  // And they shrink toward the end.
  assert.ok(sizes.at(-1)! <= 2 && sizes.at(-1)! < sizes[0]!);
});

test('busy slots count: the idle one takes the frames the others cannot reach in time', () => {
  const slots = [{ startupMs: 2000, frameMs: 1000, freeInMs: 30_000 }, { startupMs: 2000, frameMs: 1000 }];
  const sizes = planChunkSizes({ frameCount: 60, slots });
  const { ends } = simulate(sizes, slots);
  assert.ok(Math.abs(ends[0]! - ends[1]!) <= 1000, `${sizes.join(',')} end ${ends.join(' and ')}`);
  // 30 frames: the idle slot alone ends at 32 s; a frame for the busy one would end it at 33 s.
  assert.deepEqual(planChunkSizes({ frameCount: 30, slots }), [30]);
});

test('the slot asking gets the first chunk, sized for it, whoever the simulation would have served first', () => {
  // The fast slot is idle too and comes first: planned as a list, the first chunk is the fast one's.
  const slots = [{ startupMs: 2000, frameMs: 1000 }, { startupMs: 2000, frameMs: 3000 }];
  const list = planChunkSizes({ frameCount: 120, slots });
  const forSlow = planChunkSizes({ frameCount: 120, slots, askingSlot: 1 });
  const forFast = planChunkSizes({ frameCount: 120, slots, askingSlot: 0 });
  assert.deepEqual(forFast, list);
  assert.equal(sum(forSlow), 120);
  assert.ok(forSlow[0]! * 2 < list[0]!, `the slow slot's chunk ${forSlow[0]} against the fast one's ${list[0]}`);
  // Handed out as sized (the slow slot first, then whoever is free first), they end within a frame of the slower.
  const ends = simulateFrom(forSlow.slice(1), slots, [0, slots[1]!.startupMs + forSlow[0]! * slots[1]!.frameMs]);
  assert.ok(Math.abs(ends[0]! - ends[1]!) <= 3000, `ends ${ends.join(' and ')}`);
  // A busy asker is taken as free (it asks now); an index out of range is ignored.
  assert.deepEqual(planChunkSizes({ frameCount: 120, slots: [{ ...slots[0]!, freeInMs: 50_000 }, slots[1]!], askingSlot: 0 }), list);
  assert.deepEqual(planChunkSizes({ frameCount: 120, slots, askingSlot: 7 }), list);
});

/** The rest of a plan handed out from slot end times `ends`: the slot free first takes the next chunk. */
function simulateFrom(sizes: readonly number[], slots: readonly PlanSlot[], ends: number[]): number[] {
  for (const size of sizes) {
    const i = ends[0]! <= ends[1]! ? 0 : 1;
    ends[i]! += slots[i]!.startupMs + size * slots[i]!.frameMs;
  }
  return ends;
}

test('no chunk passes the task spec\'s 10,000 frames, however short the frames', () => {
  assert.deepEqual(planChunkSizes({ frameCount: 25_000, slots: [{ startupMs: 2000, frameMs: 1 }] }), [10_000, 10_000, 5000]);
});

test('odd inputs still give a plan covering every frame', () => {
  assert.deepEqual(planChunkSizes({ frameCount: 0, slots: [{ startupMs: 1, frameMs: 1 }] }), []);
  assert.deepEqual(planChunkSizes({ frameCount: 5, slots: [] }), [5]);
  assert.equal(sum(planChunkSizes({ frameCount: 7, slots: [{ startupMs: Number.NaN, frameMs: 0 }, { startupMs: -5, frameMs: Infinity }] })), 7);
});

test('chunksOfSizes keeps the frame order and every frame', () => {
  assert.deepEqual(chunksOfSizes([1, 2, 3, 10, 11], [2, 2, 1]), [[1, 2], [3, 10], [11]]);
  assert.deepEqual(chunksOfSizes([1, 2, 3], [2]), [[1, 2], [3]]);
});

test('a slot of unknown speed starts with at most a quarter of an even share, unless start-ups would pass 5 %; one slot alone is not cut', () => {
  const unknown = { startupMs: 2000, frameMs: 10_000, speedUnknown: true };
  const sizes = planChunkSizes({ frameCount: 240, slots: [unknown, unknown, unknown] });
  assert.deepEqual(sizes.slice(0, 3), [20, 20, 20], `sizes ${sizes.join(', ')}`);
  assert.equal(sizes.reduce((a, b) => a + b), 240);
  // Known speeds: the first chunks are the usual half of a balanced share.
  assert.deepEqual(planChunkSizes({ frameCount: 240, slots: [{ startupMs: 2000, frameMs: 10_000 }, { startupMs: 2000, frameMs: 10_000 }, { startupMs: 2000, frameMs: 10_000 }] }).slice(0, 3), [40, 40, 40]);
  // 1 s frames after a 2 s start-up: a chunk under 38 frames would spend more than 5 % starting.
  assert.deepEqual(planChunkSizes({ frameCount: 240, slots: [{ ...unknown, frameMs: 1000 }, { ...unknown, frameMs: 1000 }, { ...unknown, frameMs: 1000 }] }).slice(0, 3), [38, 38, 38]);
  assert.deepEqual(planChunkSizes({ frameCount: 48, slots: [{ startupMs: 2500, frameMs: 500, speedUnknown: true }] }), [48]);
});
