import { test } from 'node:test';
import assert from 'node:assert/strict';
import { newJob } from '../jobs/new-job.js';
import { jobFindFacts } from './job-find-facts.js';

const base = { id: 'j1', name: 'shot.blend', type: 'blender' as const, priority: 50, outputDir: '/renders/shot', inputFiles: [], tasks: [] };

test('a render: its tags, output folder, frame list and frame count', () => {
  const job = newJob({ ...base, tags: ['gpu'], settings: { frames: '1-250', frameCount: 250 } });
  assert.deepEqual(jobFindFacts(job), { tags: ['gpu'], output: '/renders/shot', frames: '1-250', frameCount: 250 });
});

test('a transcode: its output file, and its frame count without a frame list; no tags, no field', () => {
  const job = newJob({ ...base, name: 'clip.mov', type: 'transcode', tags: [], outputDir: '/out', settings: { outputPath: '/out/clip.mp4', frameCount: 500 } });
  assert.deepEqual(jobFindFacts(job), { output: '/out/clip.mp4', frameCount: 500 });
});
