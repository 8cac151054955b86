import assert from 'node:assert/strict';
import { test } from 'node:test';
import { newTask } from '../jobs/new-job.js';
import { LiveOutputsSeen } from './live-outputs-seen.js';

const ref = (name: string, sha = name.padEnd(64, '0')) => ({ name, sha256: sha, size: 10 });

test('at the task\'s end: arrived with the same hash counts, arriving is awaited, the rest is fetched', () => {
  const live = new LiveOutputsSeen();
  const task = newTask('job', 0, 'frames 1-4', { type: 'noop' }, []);
  task.attempt = 1;
  live.arriving(task, 'a');
  live.arriving(task, 'b');
  live.arriving(task, 'c');
  assert.equal(live.arrived(task, ref('a')), true);
  assert.equal(live.arrived(task, ref('b', 'f'.repeat(64))), true);
  live.failed(task, 'x');
  const { collected, coming } = live.settle(task, [ref('a'), ref('b'), ref('c'), ref('d')]);
  assert.deepEqual(collected, ['a']); // b arrived with another hash than the end announced: fetched again
  assert.deepEqual([...coming], ['c']);
});

test('a new attempt starts empty, and a file that was not live is not counted', () => {
  const live = new LiveOutputsSeen();
  const task = newTask('job', 0, 'frames 1-2', { type: 'noop' }, []);
  task.attempt = 1;
  live.arriving(task, 'a');
  assert.equal(live.arrived(task, ref('a')), true);
  task.attempt = 2;
  assert.equal(live.arrived(task, ref('a')), false);
  assert.deepEqual(live.settle(task, [ref('a')]), { collected: [], coming: new Set() });
  live.arriving(task, 'b');
  live.failed(task, 'b');
  assert.equal(live.arrived(task, ref('b')), false);
});
