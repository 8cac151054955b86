import assert from 'node:assert/strict';
import { test, type TestContext } from 'node:test';
import { compileBlenderJob } from '../jobs/blender/blender-job.js';
import { chunkPlanSentence } from '../jobs/chunk-plan/chunk-plan-sentence.js';
import { PlanningMemory } from '../jobs/chunk-plan/planning-memory.js';
import { readFrameList } from '../jobs/frame-list.js';
import type { JobRecord } from '../model/job-model.js';
import { simulateRender, type SimulatedAgent } from '../../../test/helpers/simulated-render-farm.js';

// Issue 19's "every agent finishes within about one frame-time of the others", through the real
// scheduler (dispatcher, chunk re-planner, measures) with agents simulated at its port on a
// mocked clock (test/helpers/simulated-render-farm.ts): each chunk is sized for the agent that takes it, and
// agents still checking their tools at submit count as capacity.

const scene = { sha256: 'f'.repeat(64), size: 50, name: 'shot.blend' };
const FAST: SimulatedAgent = { agentId: 'fast', frameMs: 1000, startupMs: 2000 };
const SLOW: SimulatedAgent = { agentId: 'slow', frameMs: 3000, startupMs: 2000 };

function renderJob(frames: number, o: { chunkSize?: number; priority?: number; name?: string } = {}): JobRecord {
  const job = compileBlenderJob({ scenePath: '/art/shot.blend', frames: readFrameList(`1-${frames}`), outputDir: '/out', ...(o.chunkSize ? { chunkSize: o.chunkSize } : {}) }, { scene, scenePath: '/art/shot.blend', sceneInfo: null, agentCount: 2 });
  job.priority = o.priority ?? 0;
  if (o.name) job.name = o.name;
  return job;
}

function mockedClock(t: TestContext) {
  let now = 1_000_000;
  t.mock.timers.enable({ apis: ['Date'], now });
  return {
    now: () => Date.now(),
    advanceTo(ms: number) {
      if (ms <= now) return;
      t.mock.timers.tick(ms - now);
      now = ms;
    },
  };
}

const everyFrame = (n: number) => Array.from({ length: n }, (_, i) => i + 1);
const sorted = (xs: number[]) => [...xs].sort((a, b) => a - b);

test('a slow agent that asks while the fast one is busy with another job gets a chunk sized for itself: both finish within a slow frame', async (t) => {
  const clock = mockedClock(t);
  // 240 frames on agents of speed 1:3. At 100 s a pinned 100-frame job of higher priority
  // arrives and the fast agent takes it; the slow one then asks for the first job's next chunk.
  // Planned as a list, that chunk was sized for the fast agent (48 frames: 146 s on the slow
  // one), and the slow agent ended 84 s after the fast one.
  const run = await simulateRender([{ record: renderJob(240) }, { record: renderJob(100, { chunkSize: 100, priority: 10, name: 'other' }), atMs: 100_000 }], [FAST, SLOW], clock);
  assert.deepEqual(sorted(run.frames), everyFrame(240), 'every frame handed out once');
  const slow = run.agents.get('slow')!;
  assert.ok(run.spreadMs <= SLOW.frameMs, `ends ${JSON.stringify([...run.agents])}, ${run.spreadMs} ms apart`);
  assert.ok(slow.chunks.slice(1).every((size) => size < 30), `the slow agent's chunks after the first: ${slow.chunks.join(', ')}`);
  // Shown where the user looks: the plan's sentence counts the chunks cut for the agent that took them.
  const plan = chunkPlanSentence({ type: 'blender', settings: { ...run.settings }, tasks: run.tasks });
  assert.match(plan ?? '', /^\d+ chunks of up to \d+ frames, sized from measured 1\.\d s\/frame \(re-planned \d+ times; \d+ cut to fit the agent that took (it|them)\)\.$/);
});

test('two agents of speed 1:3 finish within a slow frame and a start-up of each other, one slot or two each', async (t) => {
  const clock = mockedClock(t);
  for (const slots of [1, 2]) {
    for (const frames of [60, 120, 240]) {
      const run = await simulateRender([{ record: renderJob(frames) }], [{ ...FAST, slots }, { ...SLOW, slots }], clock);
      assert.deepEqual(sorted(run.frames), everyFrame(frames));
      assert.ok(run.spreadMs <= SLOW.frameMs + SLOW.startupMs, `${frames} frames, ${slots} slot(s): ${JSON.stringify([...run.agents])}`);
      assert.ok(run.agents.get('fast')!.chunks.reduce((a, b) => a + b) > 2 * run.agents.get('slow')!.chunks.reduce((a, b) => a + b), 'the fast agent renders most');
    }
  }
});

test('an agent still checking its tools at submit counts: the job is split for it, and it renders its share once ready', async (t) => {
  const clock = mockedClock(t);
  // A fresh farm: the second agent's `blender --version` and GPU probe end 3 s after the submit.
  // Planned for the ready agent alone, the job became one chunk and the second agent sat idle.
  const run = await simulateRender([{ record: renderJob(48) }], [{ ...FAST, agentId: 'a' }, { ...FAST, agentId: 'b', readyAtMs: 3000 }], clock);
  assert.deepEqual(sorted(run.frames), everyFrame(48));
  const a = run.agents.get('a')!;
  const b = run.agents.get('b')!;
  assert.ok(b.chunks.length > 0, `agent b rendered nothing: ${JSON.stringify([...run.agents])}`);
  assert.ok(Math.abs(a.endMs - b.endMs) <= FAST.frameMs + FAST.startupMs, `ends ${a.endMs} and ${b.endMs}`);
});

test('an agent whose tool check fails is planned out again: the ready agent gets the rest', async (t) => {
  const clock = mockedClock(t);
  const run = await simulateRender([{ record: renderJob(48) }], [{ ...FAST, agentId: 'a' }, { ...FAST, agentId: 'b', readyAtMs: 3000, checkFails: true }], clock);
  assert.deepEqual(sorted(run.frames), everyFrame(48));
  assert.deepEqual(run.agents.get('b')!.chunks, []);
  assert.ok(run.agents.get('a')!.chunks.length <= 3, `chunks ${run.agents.get('a')!.chunks.join(', ')}: the rest merged once b was out`);
});

test("three agents of speed 1:1:3: the next job sizes the slow agent's first chunk from its remembered speed, and all finish within a slow frame and a start-up", async (t) => {
  const clock = mockedClock(t);
  // A first chunk is sized before the job measures anyone's speed, and a running chunk cannot
  // be cut: the slow agent's first chunk (40 frames of 240) ended 17 s after the others (9 s at
  // 120 frames). The planning memory keeps each agent's speed relative to its job's mean frame,
  // so the farm's next job sizes the slow agent's first chunk for it.
  const agents = [{ ...FAST, agentId: 'a' }, { ...FAST, agentId: 'b' }, { ...SLOW, agentId: 'c' }];
  for (const frames of [120, 240]) {
    const planningMemory = await PlanningMemory.open(null);
    const first = await simulateRender([{ record: renderJob(frames) }], agents, clock, { planningMemory });
    assert.deepEqual(sorted(first.frames), everyFrame(frames));
    assert.ok(planningMemory.agentSpeedFactor('c')! > 2 * planningMemory.agentSpeedFactor('a')!, `remembered speeds ${['a', 'b', 'c'].map((id) => planningMemory.agentSpeedFactor(id)).join(', ')}`);
    const next = await simulateRender([{ record: renderJob(frames, { name: 'next' }) }], agents, clock, { planningMemory });
    assert.deepEqual(sorted(next.frames), everyFrame(frames));
    assert.ok(next.spreadMs <= SLOW.frameMs + SLOW.startupMs, `${frames} frames: first job ${first.spreadMs} ms apart; next job ${next.spreadMs} ms apart: ${JSON.stringify([...next.agents])}`);
    assert.ok(next.agents.get('c')!.chunks[0]! * 2 < next.agents.get('a')!.chunks[0]!, `the slow agent starts with a smaller chunk than a fast one: ${JSON.stringify([...next.agents])}`);
  }
});

test('three agents of speed 1:1:3 on a first job, no speed known: each starts with a small chunk, and all finish within a slow frame and a start-up', async (t) => {
  const clock = mockedClock(t);
  // Sized blind, the slow agent's first chunk (40 frames of 240, a sixth) ended 17 s after the
  // others (9 s at 120 frames). An agent of unknown speed now starts with a quarter of an even share.
  const agents = [{ ...FAST, agentId: 'a' }, { ...FAST, agentId: 'b' }, { ...SLOW, agentId: 'c' }];
  for (const frames of [120, 240]) {
    const run = await simulateRender([{ record: renderJob(frames) }], agents, clock);
    assert.deepEqual(sorted(run.frames), everyFrame(frames));
    assert.ok(run.spreadMs <= SLOW.frameMs + SLOW.startupMs, `${frames} frames: ${run.spreadMs} ms apart: ${JSON.stringify([...run.agents])}`);
    assert.ok(run.agents.get('c')!.chunks[0]! <= Math.ceil(frames / 3 / 4), `the slow agent's first chunk: ${run.agents.get('c')!.chunks.join(', ')}`);
  }
});
