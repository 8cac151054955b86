import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { JobSummary, TaskView } from '../../electron/controller/api/contract.js';
import { countTaskFilters, DEFAULT_JOBS_QUERY, describeJobFrames, filterTasks, shortJobId, sortBy, visibleJobIds, type JobsQuery } from '../../renderer/src/model/find-jobs.js';

// Finding work: which jobs the list shows in which order, and which tasks a job's table shows.

function job(id: string, over: Partial<JobSummary> = {}): JobSummary {
  return { id, name: 'shot.blend', type: 'blender', priority: 50, createdAt: 0, state: 'queued', taskCount: 10, succeededCount: 0, failedCount: 0, runningCount: 0, failure: null, ...over };
}
const jobs = [
  job('jmf00001aaaaaa', { name: 'shot.blend', createdAt: 3, state: 'running', tags: ['gpu'], succeededCount: 5, priority: 70, frameCount: 250, frames: '1-250', output: '/r/b' }),
  job('jmf00002bbbbbb', { name: 'Shot.blend', createdAt: 2, state: 'failed', succeededCount: 9, frameCount: 10, output: '/r/a' }),
  job('jmf00003cccccc', { name: 'clip.mov', type: 'transcode', createdAt: 1, state: 'succeeded', succeededCount: 10, tags: ['linux'], waitingReason: undefined }),
  job('jmf00004dddddd', { name: 'wait.blend', createdAt: 0, state: 'queued', waitingReason: 'no agent has tag gpu.', tags: ['gpu'] }),
];
const byId = Object.fromEntries(jobs.map((j) => [j.id, j]));
const order = jobs.map((j) => j.id); // newest first, as the store keeps them
const shown = (q: Partial<JobsQuery>) => visibleJobIds(order, byId, { ...DEFAULT_JOBS_QUERY, ...q }).map((id) => byId[id]!.name + '#' + id.slice(-1));

describe('the jobs list: search, state filter, sort', () => {
  test('with nothing asked, the store\'s own array (no copy, newest first)', () => {
    assert.equal(visibleJobIds(order, byId, DEFAULT_JOBS_QUERY), order);
  });

  test('search finds words in the name (any case), the id and the tags; every word must match', () => {
    assert.deepEqual(shown({ search: 'SHOT' }), ['shot.blend#a', 'Shot.blend#b']);
    assert.deepEqual(shown({ search: 'bbbb' }), ['Shot.blend#b']);
    assert.deepEqual(shown({ search: 'gpu' }), ['shot.blend#a', 'wait.blend#d']);
    assert.deepEqual(shown({ search: 'shot gpu' }), ['shot.blend#a']);
    assert.deepEqual(shown({ search: 'nothing-like-it' }), []);
  });

  test('the state filter: one state, unfinished ones, or the ones waiting for an agent', () => {
    assert.deepEqual(shown({ state: 'failed' }), ['Shot.blend#b']);
    assert.deepEqual(shown({ state: 'unfinished' }), ['shot.blend#a', 'wait.blend#d']);
    assert.deepEqual(shown({ state: 'waiting' }), ['wait.blend#d']);
  });

  test('sorting by a column, either way; ties stay newest first', () => {
    assert.deepEqual(shown({ sort: 'name', dir: 'asc' }), ['clip.mov#c', 'shot.blend#a', 'Shot.blend#b', 'wait.blend#d']);
    assert.deepEqual(shown({ sort: 'submitted', dir: 'asc' }), ['wait.blend#d', 'clip.mov#c', 'Shot.blend#b', 'shot.blend#a']);
    assert.deepEqual(shown({ sort: 'progress', dir: 'desc' }), ['clip.mov#c', 'Shot.blend#b', 'shot.blend#a', 'wait.blend#d']);
    assert.deepEqual(shown({ sort: 'priority', dir: 'desc' }), ['shot.blend#a', 'Shot.blend#b', 'clip.mov#c', 'wait.blend#d']);
    assert.deepEqual(shown({ sort: 'frames', dir: 'desc' }), ['shot.blend#a', 'Shot.blend#b', 'clip.mov#c', 'wait.blend#d']);
    assert.deepEqual(shown({ sort: 'state', dir: 'asc' }), ['shot.blend#a', 'wait.blend#d', 'Shot.blend#b', 'clip.mov#c']);
    assert.deepEqual(shown({ sort: 'output', dir: 'asc', search: 'shot' }), ['Shot.blend#b', 'shot.blend#a']);
  });

  test('choosing a column: the same one flips, another starts A→Z for words and largest first for amounts', () => {
    const byName = sortBy(DEFAULT_JOBS_QUERY, 'name');
    assert.deepEqual([byName.sort, byName.dir], ['name', 'asc']);
    assert.equal(sortBy(byName, 'name').dir, 'desc');
    assert.deepEqual([sortBy(byName, 'frames').sort, sortBy(byName, 'frames').dir], ['frames', 'desc']);
    assert.equal(sortBy(DEFAULT_JOBS_QUERY, 'submitted').dir, 'asc', 'the default column flips to oldest first');
  });

  test('two jobs of one scene read apart: a short id from the random end of the id, and their frames', () => {
    assert.equal(shortJobId('jmf1x2k3a1b2c3'), 'a1b2c3');
    assert.notEqual(shortJobId(jobs[0]!.id), shortJobId(jobs[1]!.id));
    assert.equal(describeJobFrames(jobs[0]!), '1-250 (250)');
    assert.equal(describeJobFrames(jobs[1]!), '10 frames');
    assert.equal(describeJobFrames(job('x', { frames: '7', frameCount: 1 })), '7');
    assert.equal(describeJobFrames(job('x', { type: 'noop' })), null);
  });
});

describe('the task table\'s state filter', () => {
  const task = (i: number, state: TaskView['state']): TaskView => ({ id: `t${i}`, jobId: 'j', index: i, label: `frames ${i}`, type: 'noop', state, attempt: 1, failures: 0, agentId: null, progress: 0, outputs: [], error: null, startedAt: null, endedAt: null });
  const tasks = [task(0, 'queued'), task(1, 'assigned'), task(2, 'running'), task(3, 'succeeded'), task(4, 'failed'), task(5, 'canceled')];

  test('all is the same array; each state, running with assigned, and not done', () => {
    assert.equal(filterTasks(tasks, 'all'), tasks);
    assert.deepEqual(filterTasks(tasks, 'failed').map((t) => t.id), ['t4']);
    assert.deepEqual(filterTasks(tasks, 'running').map((t) => t.id), ['t1', 't2']);
    assert.deepEqual(filterTasks(tasks, 'unfinished').map((t) => t.id), ['t0', 't1', 't2']);
  });

  test('the counts beside each choice agree with what it shows', () => {
    const counts = countTaskFilters(tasks);
    for (const filter of ['all', 'unfinished', 'queued', 'running', 'succeeded', 'failed', 'canceled'] as const) {
      assert.equal(counts[filter], filterTasks(tasks, filter).length, filter);
    }
  });

  test('filtering 10,000 tasks takes well under a frame', () => {
    const many = Array.from({ length: 10_000 }, (_, i) => task(i, i % 7 === 0 ? 'failed' : 'succeeded'));
    const started = performance.now();
    for (let i = 0; i < 20; i++) {
      filterTasks(many, 'failed');
      countTaskFilters(many);
    }
    const ms = (performance.now() - started) / 20;
    assert.ok(ms < 8, `${ms.toFixed(2)} ms per filter and count`);
  });
});
