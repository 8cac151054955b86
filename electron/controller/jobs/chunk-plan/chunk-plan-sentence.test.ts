import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { JobRecord } from '../../model/job-model.js';
import { chunkPlanSentence } from './chunk-plan-sentence.js';

function job(settings: Record<string, unknown>, taskCount = 4): Pick<JobRecord, 'type' | 'settings' | 'tasks'> {
  return { type: 'blender', settings, tasks: Array.from({ length: taskCount }) as JobRecord['tasks'] };
}

test('the plan in one sentence: planned, re-planned, pinned, kept for unbaked simulations', () => {
  assert.equal(chunkPlanSentence(job({ adaptiveChunks: true, chunkSize: 48, chunkPlan: { chunks: 1, frameMs: 10_000, source: 'default', replans: 0 } }, 1)), '1 chunk of up to 48 frames, sized from the default 10 s/frame.');
  assert.equal(chunkPlanSentence(job({ adaptiveChunks: true, chunkSize: 36, chunkPlan: { chunks: 3, frameMs: 2140, source: 'measured', replans: 2 } })), '3 chunks of up to 36 frames, sized from measured 2.1 s/frame (re-planned 2 times).');
  assert.equal(chunkPlanSentence(job({ adaptiveChunks: true, chunkSize: 20, chunkPlan: { chunks: 2, frameMs: 510, source: 'scene', replans: 1 } })), '2 chunks of up to 20 frames, sized from 0.5 s/frame measured on an earlier job of this scene (re-planned once).');
  assert.equal(chunkPlanSentence(job({ chunkSize: 12, video: true, previewFrames: 0 }, 5)), '4 chunks of up to 12 frames (--chunk 12).');
  assert.equal(chunkPlanSentence(job({ chunkSize: 12, chunkPlan: { chunks: 2, frameMs: 10_000, source: 'default', replans: 0 } }, 2)), '2 chunks of up to 12 frames, sized from the default 10 s/frame; kept as planned, for its unbaked simulations.');
  assert.equal(chunkPlanSentence({ type: 'noop', settings: {}, tasks: [] }), undefined);
  assert.equal(chunkPlanSentence(job({ tiles: 4, chunkSize: 1 }, 5)), undefined, 'a tiled still has regions, not chunks');
});

test('chunks cut again as an agent took them, to fit its speed, are counted in the sentence', () => {
  assert.equal(chunkPlanSentence(job({ adaptiveChunks: true, chunkSize: 59, chunkPlan: { chunks: 7, frameMs: 1480, source: 'measured', replans: 5, fitted: 2 } })), '7 chunks of up to 59 frames, sized from measured 1.5 s/frame (re-planned 5 times; 2 cut to fit the agent that took them).');
  assert.equal(chunkPlanSentence(job({ adaptiveChunks: true, chunkSize: 30, chunkPlan: { chunks: 3, frameMs: 1000, source: 'measured', replans: 0, fitted: 1 } })), '3 chunks of up to 30 frames, sized from measured 1.0 s/frame (1 cut to fit the agent that took it).');
});
