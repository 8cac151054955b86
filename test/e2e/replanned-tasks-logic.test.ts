import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { TaskView } from '../../electron/controller/api/contract.js';
import { applyTaskChanges, setLoadedTasks, trimReplannedTasks, useTasksStore } from '../../renderer/src/stores/tasks-store.js';

// A job's queued chunks re-planned into fewer (issue 19): the controller sends the new tasks and
// the job's new task count; the page keeps exactly the job's tasks, none of the old ids past it.

function task(index: number, frames: string, over: Partial<TaskView> = {}): TaskView {
  return { id: `r.${index}`, jobId: 'r', index, label: `frames ${frames}`, type: 'blender', state: 'queued', attempt: 0, failures: 0, agentId: null, progress: 0, outputs: [], error: null, startedAt: null, endedAt: null, ...over };
}

test('a re-plan of 4 queued chunks into 1 leaves the job\'s 2 tasks, the new one in place', () => {
  setLoadedTasks('r', [task(0, '1-12', { state: 'running', attempt: 1, agentId: 'a' }), task(1, '13-24'), task(2, '25-36'), task(3, '37-48'), task(4, '49-60')], 1);
  applyTaskChanges([task(1, '13-60')]);
  trimReplannedTasks([{ id: 'r', taskCount: 2 }, { id: 'not-loaded', taskCount: 0 }]);
  const items = useTasksStore.getState().byJob.r!.items;
  assert.deepEqual(items.map((t) => [t.id, t.label, t.state]), [['r.0', 'frames 1-12', 'running'], ['r.1', 'frames 13-60', 'queued']]);
  assert.equal(useTasksStore.getState().byJob['not-loaded'], undefined);
  // A count that did not shrink changes nothing (the same list object: nothing re-renders).
  trimReplannedTasks([{ id: 'r', taskCount: 2 }]);
  assert.equal(useTasksStore.getState().byJob.r!.items, items);
});
