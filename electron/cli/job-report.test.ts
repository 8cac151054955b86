import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { JobDetail, TaskView } from '../controller/api/contract.js';
import { formatTable } from './cli-table.js';
import { formatJob, jobColumns, reportJobEnd, taskColumns } from './job-report.js';

const MODIFIER = 'The modifier "MC" on object "Plane" failed: Vertex count mismatch.';

function task(over: Partial<TaskView>): TaskView {
  return { id: 'j.0', jobId: 'j', index: 0, label: 'frames 1', type: 'blender', state: 'succeeded', attempt: 1, failures: 0, agentId: 'a1', progress: 1, outputs: [], error: null, startedAt: 0, endedAt: 1, ...over };
}

test('farmhand tasks shows a task\'s warning count and the first, and nothing for a clean task', () => {
  const lines = formatTable([task({ warnings: [MODIFIER, 'b.'] }), task({ id: 'j.1', label: 'frames 2' })], taskColumns).split('\n');
  assert.match(lines[0]!, /ERROR\s+WARNINGS$/);
  assert.match(lines[1]!, /  2: The modifier "MC" on object "Plane" failed: /);
  assert.ok(!lines[2]!.includes('2:'), lines[2]);
});

test('farmhand job names the warning count and the first warning', () => {
  const job: JobDetail = {
    id: 'j', name: 'shot.blend', type: 'blender', priority: 50, createdAt: 0, state: 'succeeded', taskCount: 1, succeededCount: 1, failedCount: 0, runningCount: 0,
    failure: null, warningCount: 1, firstWarning: MODIFIER, paused: false, tags: [], outputDir: '/out', endedAt: 1, progress: 1, settings: {},
  };
  assert.match(formatJob(job), new RegExp(`^Warnings\\s+1, the first: ${MODIFIER.replace(/[.()]/g, '\\$&')}$`, 'm'));
});

test('a job paused for the same error on two agents: `farmhand jobs` says paused (error), `farmhand job` the sentence, a followed job ends with it and exit 1', () => {
  const reason = 'Blender cannot render "nocam.blend": no camera is set for the scene; add a camera, make it the scene\'s camera (Scene properties), save the scene and submit it again (the first attempts on agents a and b failed the same way).';
  const job: JobDetail = {
    id: 'j', name: 'nocam.blend', type: 'blender', priority: 50, createdAt: 0, state: 'paused', taskCount: 4, succeededCount: 0, failedCount: 0, runningCount: 0,
    failure: null, pauseReason: reason, pauseCause: 'fail-fast', paused: true, tags: [], outputDir: '/out', endedAt: null, progress: 0, settings: {},
  };
  assert.match(formatTable([job], jobColumns).split('\n')[1]!, /\bpaused \(error\)\s/);
  assert.match(formatTable([{ ...job, pauseReason: 'The output disk /out is full.', pauseCause: 'disk-full' }], jobColumns).split('\n')[1]!, /\bpaused \(disk full\)\s/);
  assert.ok(formatJob(job).split('\n').includes(`Paused    ${reason}`), formatJob(job));
  const printed: string[] = [];
  const write = process.stdout.write;
  process.stdout.write = ((s: string) => { printed.push(s); return true; }) as typeof process.stdout.write;
  try {
    assert.equal(reportJobEnd({ json: false }, job), 1);
  } finally {
    process.stdout.write = write;
  }
  assert.equal(printed.join('').trim(), `Job j paused: ${reason}`);
});
