import assert from 'node:assert/strict';
import { test } from 'node:test';
import { JobWorkspaceLists } from './job-workspace-lists.js';

const list = (scenePath: string) => ({ scenePath, files: [{ path: 'tex/wood.png', sha256: 'b'.repeat(64), size: 7 }], pathMap: [] });

test('a job\'s list is kept once, replaced by a newer one, and forgotten when the job ends', () => {
  const lists = new JobWorkspaceLists();
  const connection = {};
  lists.set('job1', list('a.blend'), connection);
  lists.set('job1', list('b.blend'), connection);
  lists.set('job2', list('c.blend'), connection);
  assert.equal(lists.get('job1')?.scenePath, 'b.blend');
  assert.deepEqual(lists.jobs(), ['job1', 'job2'], 'one list per job');
  lists.forget('job1');
  assert.equal(lists.get('job1'), undefined);
  assert.deepEqual(lists.jobs(), ['job2']);
});

test('a closed connection\'s lists are forgotten, and a newer connection\'s list for the same job stays', () => {
  const lists = new JobWorkspaceLists();
  const old = {};
  const newer = {};
  lists.set('job1', list('a.blend'), old);
  lists.set('job2', list('b.blend'), old);
  lists.set('job2', list('b2.blend'), newer); // the new connection sent it before the old one's close was seen
  lists.forgetFrom(old);
  assert.deepEqual(lists.jobs(), ['job2']);
  assert.equal(lists.get('job2')?.scenePath, 'b2.blend');
  lists.forgetFrom(newer);
  assert.deepEqual(lists.jobs(), []);
});
