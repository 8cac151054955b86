import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { TaskView } from '../../electron/controller/api/contract.js';
import { applyTaskChanges, setLoadedTasks, useTasksStore } from '../../renderer/src/stores/tasks-store.js';

// The nodes view's "current task" comes from the tasks store's active tasks by agent. With 500
// agents it is rebuilt from a 30,000-task job in one step, then kept by each frame's events.

function task(index: number, over: Partial<TaskView> = {}): TaskView {
  return { id: `j.${index}`, jobId: 'j', index, label: `noop ${index + 1}`, type: 'noop', state: 'queued', attempt: 0, failures: 0, agentId: null, progress: 0, outputs: [], error: null, startedAt: null, endedAt: null, ...over };
}

test('500 agents, a 30,000-task job: each running task is under its agent, moved and dropped as events say', () => {
  const tasks = Array.from({ length: 30_000 }, (_, i) => (i < 500 ? task(i, { state: 'running', agentId: `a${i}`, attempt: 1 }) : i < 1000 ? task(i, { state: 'succeeded', agentId: `a${i - 500}`, attempt: 1 }) : task(i)));
  const t0 = performance.now();
  setLoadedTasks('j', tasks, 1);
  const loadMs = performance.now() - t0;
  const active = () => useTasksStore.getState().activeByAgent;
  assert.equal(Object.keys(active()).length, 500);
  assert.deepEqual(Object.keys(active().a7!), ['j.7']);

  const before = active();
  // j.7 finishes on a7; j.1000 starts on a7; j.8 is requeued from a8 and assigned to a9.
  applyTaskChanges([task(7, { state: 'succeeded', agentId: 'a7', attempt: 1 }), task(1000, { state: 'assigned', agentId: 'a7', attempt: 1 }), task(8, { state: 'assigned', agentId: 'a9', attempt: 2 })]);
  assert.deepEqual(Object.keys(active().a7!), ['j.1000']);
  assert.deepEqual(Object.keys(active().a8!), []);
  assert.deepEqual(Object.keys(active().a9!).sort(), ['j.8', 'j.9']);
  assert.equal(active().a10, before.a10, 'an agent no event touched keeps its set (rows not re-rendered)');
  assert.equal(before.a7!['j.7']?.state, 'running', 'the previous state is not mutated');
  // Bound generously for a loaded machine: the search over every agent per task took seconds here.
  assert.ok(loadMs < 2000, `indexing 30,000 tasks over 500 agents took ${Math.round(loadMs)} ms`);
});
