import assert from 'node:assert/strict';
import { test } from 'node:test';
import { newTask } from '../jobs/new-job.js';
import type { TaskRecord } from '../model/job-model.js';
import { ChunkMeasures } from './chunk-measures.js';

// What a job's tasks measure of its frame time (the chunk planner's input, and the scene's
// estimate kept in chunk-plan.json for the next submit).

/** A one-frame task that succeeded on agent `a`: 2 s of start-up, then its render. */
function oneFrame(index: number, renderMs: number, region?: { x: number; y: number; width: number; height: number; frameWidth: number; frameHeight: number }): TaskRecord {
  const task = newTask('j', index, `frame ${index}`, { type: 'blender', frames: [12], outputName: 'shot', format: 'PNG', ...(region ? { region } : {}) }, []);
  return { ...task, state: 'succeeded', attempt: 1, agentId: 'a', startedAt: 10_000, endedAt: 10_000 + 2000 + renderMs, startupMs: 2000 };
}

test('a whole frame rendered as a one-frame task is a frame time', () => {
  const m = new ChunkMeasures();
  m.observe(oneFrame(0, 8000), 2500);
  assert.equal(m.frameMs(), 8000);
});

test('a tile is no frame time (it renders a region of the frame), but its start-up still counts', () => {
  const m = new ChunkMeasures();
  const region = { x: 0, y: 0, width: 63, height: 47, frameWidth: 96, frameHeight: 64 };
  // Four tiles of an 8-second frame, 2 s each: counted, they would say 2 s a frame.
  for (let i = 0; i < 4; i++) assert.deepEqual(m.observe(oneFrame(i, 2000, region), 2500), { newStartup: true });
  assert.equal(m.frameMs(), null);
  assert.equal(m.agentFrameMs('a'), null);
});
