import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { AgentRuntime } from '../agents/agent-runtime.js';
import { newJob, newTask } from '../jobs/new-job.js';
import type { TaskRecord } from '../model/job-model.js';
import { JobRuntime } from './job-runtime.js';
import { TaskDeadlines } from './task-deadlines.js';
import { InvalidTransitionError } from './task-state.js';
import { isCurrentAttempt, requeueLoaded, TaskVerbs } from './task-verbs.js';

function setup(taskCount = 1) {
  const tasks = Array.from({ length: taskCount }, (_, i) => newTask('j1', i, `task ${i}`, { type: 'noop', outputBytes: 1 }, []));
  const job = new JobRuntime(newJob({ id: 'j1', name: 'job', type: 'noop', priority: 50, tags: [], outputDir: '/tmp/out', inputFiles: [], settings: {}, tasks }), new Map());
  const agents = new Map<string, AgentRuntime>();
  const agent = { agentId: 'a1', running: new Map<string, TaskRecord>(), collecting: new Set<string>() } as unknown as AgentRuntime;
  agents.set('a1', agent);
  const changed: string[] = [];
  const deadlines = new TaskDeadlines();
  const verbs = new TaskVerbs({ deadlines, agents, events: { taskChanged: (t) => changed.push(`${t.id}:${t.state}`) } });
  return { job, task: tasks[0]!, tasks, agent, agents, verbs, changed, deadlines };
}

test('assign: a new attempt on the agent, with the last attempt\'s progress and outputs gone', () => {
  const { job, task, verbs, changed } = setup();
  task.progress = 0.5;
  task.outputs = [{ name: 'old.png', sha256: 'x', size: 1 }];
  task.collected = ['old.png'];
  verbs.assign(job, task, 'a1');
  assert.equal(task.state, 'assigned');
  assert.equal(task.attempt, 1);
  assert.equal(task.agentId, 'a1');
  assert.equal(task.progress, 0);
  assert.deepEqual([task.outputs, task.collected], [[], []]);
  assert.ok(task.startedAt !== null);
  assert.deepEqual(job.counts, { queued: 0, assigned: 1, running: 0, succeeded: 0, failed: 0, canceled: 0 });
  assert.deepEqual(changed, ['j1.0:assigned']);
  assert.ok(job.changedTasks.has(task));
});

test('progress: the first report starts the task, later ones only move its fraction', () => {
  const { job, task, verbs, changed } = setup();
  verbs.assign(job, task, 'a1');
  verbs.progress(job, task, 0.25);
  verbs.progress(job, task, 0.5);
  assert.equal(task.state, 'running');
  assert.equal(task.progress, 0.5);
  assert.equal(job.counts.running, 1);
  assert.deepEqual(changed, ['j1.0:assigned', 'j1.0:running', 'j1.0:running', 'j1.0:running']);
});

test('succeed: done, full progress, no error, off the agent\'s slot and collecting list', () => {
  const { job, task, verbs, agent } = setup();
  verbs.assign(job, task, 'a1');
  agent.running.set(task.id, task);
  agent.collecting.add(task.id);
  task.error = 'an earlier attempt failed';
  verbs.succeed(job, task);
  assert.equal(task.state, 'succeeded');
  assert.equal(task.progress, 1);
  assert.equal(task.error, null);
  assert.ok(task.endedAt !== null);
  assert.equal(agent.running.size, 0);
  assert.equal(agent.collecting.size, 0);
  assert.equal(job.counts.succeeded, 1);
});

test('failAttempt: counted, agent dropped; requeued first in the queue, or failed for good', () => {
  const { job, tasks, verbs } = setup(2);
  const [a, b] = tasks as [TaskRecord, TaskRecord];
  job.take();
  job.take();
  verbs.assign(job, a, 'a1');
  verbs.assign(job, b, 'a1');
  verbs.failAttempt(job, a, 'Blender crashed.', true);
  assert.deepEqual([a.state, a.failures, a.error, a.agentId], ['queued', 1, 'Blender crashed.', null]);
  assert.equal(job.peek(), a, 'the failed task runs again first');
  verbs.failAttempt(job, b, 'Scene missing.', false);
  assert.deepEqual([b.state, b.failures, b.error, b.agentId], ['failed', 1, 'Scene missing.', null]);
  assert.ok(b.endedAt !== null);
  assert.deepEqual(job.counts, { queued: 1, assigned: 0, running: 0, succeeded: 0, failed: 1, canceled: 0 });
});

test('requeue: back in the queue with no failure counted and no agent', () => {
  const { job, task, verbs } = setup();
  job.take();
  verbs.assign(job, task, 'a1');
  verbs.progress(job, task, 0.4);
  verbs.requeue(job, task);
  assert.deepEqual([task.state, task.failures, task.agentId, task.progress, task.attempt], ['queued', 0, null, 0, 1]);
  assert.equal(job.peek(), task);
});

test('cancel: ended, with the reason when given, and off its agent\'s slot', () => {
  const { job, tasks, verbs, agent } = setup(2);
  const [a, b] = tasks as [TaskRecord, TaskRecord];
  verbs.assign(job, a, 'a1');
  agent.running.set(a.id, a);
  verbs.cancel(job, a);
  verbs.cancel(job, b, 'Not run: it needs task 0, which failed.');
  assert.deepEqual([a.state, a.error, agent.running.size], ['canceled', null, 0]);
  assert.deepEqual([b.state, b.error], ['canceled', 'Not run: it needs task 0, which failed.']);
  assert.ok(a.endedAt !== null && b.endedAt !== null);
  assert.equal(job.counts.canceled, 2);
});

test('retry: a failed task is queued again with fresh attempts, its error and end cleared', () => {
  const { job, task, verbs } = setup();
  job.take();
  verbs.assign(job, task, 'a1');
  verbs.failAttempt(job, task, 'Out of memory.', false);
  verbs.retry(job, task);
  assert.deepEqual([task.state, task.failures, task.error, task.agentId, task.progress, task.endedAt], ['queued', 0, null, null, 0, null]);
  assert.equal(task.attempt, 1, 'the attempt count goes on: a late report of attempt 1 stays stale after the next assign');
  assert.equal(job.peek(), task);
});

test('adopt: after a reconnection the agent\'s attempt runs on, from queued or from another agent', () => {
  const { job, tasks, verbs, agent } = setup(2);
  const [a, b] = tasks as [TaskRecord, TaskRecord];
  verbs.adopt(job, a, 'a1', 3);
  assert.deepEqual([a.state, a.attempt, a.agentId], ['running', 3, 'a1']);
  verbs.assign(job, b, 'a1');
  agent.running.set(b.id, b);
  verbs.adopt(job, b, 'a2', 1);
  assert.deepEqual([b.state, b.attempt, b.agentId, agent.running.size], ['running', 1, 'a2', 0]);
});

test('requeueLoaded: a stored task that was out on an agent is queued with no agent', () => {
  const task = { ...newTask('j1', 0, 't', { type: 'noop', outputBytes: 1 }, []), state: 'running' as const, agentId: 'a1', progress: 0.7, attempt: 2 };
  requeueLoaded(task);
  assert.deepEqual([task.state, task.agentId, task.progress, task.attempt], ['queued', null, 0, 2]);
});

test('a refused transition throws InvalidTransitionError and changes nothing', () => {
  const { job, task, verbs } = setup();
  verbs.assign(job, task, 'a1');
  verbs.succeed(job, task);
  const before = { ...task };
  assert.throws(() => verbs.assign(job, task, 'a2'), InvalidTransitionError);
  assert.throws(() => verbs.failAttempt(job, task, 'late', true), InvalidTransitionError);
  assert.throws(() => verbs.cancel(job, task), /a succeeded task cannot cancel/);
  assert.throws(() => verbs.requeue(job, task), InvalidTransitionError);
  assert.throws(() => verbs.retry(job, task), /a succeeded task cannot retry/);
  assert.throws(() => requeueLoaded({ ...task }), InvalidTransitionError);
  assert.equal(task.state, 'succeeded');
  assert.equal(task.attempt, before.attempt);
  assert.equal(task.agentId, before.agentId);
  assert.deepEqual([task.failures, task.error], [before.failures, before.error]);
  assert.equal(job.counts.succeeded, 1);
});

test('isCurrentAttempt: the attempt, the agent and the states asked for', () => {
  const task = { ...newTask('j1', 0, 't', { type: 'noop', outputBytes: 1 }, []), state: 'running' as TaskRecord['state'], agentId: 'a1', attempt: 2 };
  assert.equal(isCurrentAttempt(task, 'a1', 2), true);
  assert.equal(isCurrentAttempt(undefined, 'a1', 2), false);
  assert.equal(isCurrentAttempt(task, 'a1', 1), false, 'an older attempt');
  assert.equal(isCurrentAttempt(task, 'a2', 2), false, 'another agent');
  assert.equal(isCurrentAttempt(task, 'a2', 2, { anyAgent: true }), true);
  task.state = 'succeeded';
  assert.equal(isCurrentAttempt(task, 'a1', 2), false);
  assert.equal(isCurrentAttempt(task, 'a1', 2, { states: 'active-or-succeeded' }), true);
  assert.equal(isCurrentAttempt(task, 'a1', 2, { states: 'unfinished' }), false);
  assert.equal(isCurrentAttempt(task, 'a1', 2, { states: 'any' }), true);
  task.state = 'queued';
  assert.equal(isCurrentAttempt(task, 'a1', 2), false);
  assert.equal(isCurrentAttempt(task, 'a1', 2, { states: 'unfinished' }), true);
  task.state = 'canceled';
  assert.equal(isCurrentAttempt(task, 'a1', 2, { states: 'unfinished' }), false);
  assert.equal(isCurrentAttempt(task, 'a1', 2, { states: 'active-or-succeeded' }), false);
});

test('warnings: kept on the task and summed up distinct on its job; a new attempt clears them', () => {
  const { job, tasks, verbs } = setup(3);
  const modifier = 'The modifier "MC" on object "Cube" failed: Vertex count mismatch.';
  for (const task of tasks) verbs.assign(job, task, 'a1');
  verbs.setWarnings(job, tasks[1]!, [modifier]);
  verbs.setWarnings(job, tasks[2]!, [modifier, 'The file textures/wood.png is missing.']);
  verbs.setWarnings(job, tasks[0]!, []);
  assert.equal(tasks[0]!.warnings, undefined);
  assert.deepEqual(tasks[1]!.warnings, [modifier]);
  assert.deepEqual([job.summary().warningCount, job.summary().firstWarning], [2, modifier]);
  verbs.setWarnings(job, tasks[2]!, undefined);
  assert.deepEqual([job.summary().warningCount, job.summary().firstWarning], [1, modifier]);
  verbs.failAttempt(job, tasks[1]!, 'lost', true);
  verbs.assign(job, tasks[1]!, 'a1');
  assert.equal(tasks[1]!.warnings, undefined);
  assert.equal(job.warnedTasks, 0);
  assert.equal('warningCount' in job.summary(), false, 'a clean job\'s summary has no warning fields');
});

test('every task event shows the task as it is then: an assignment with its agent, attempt and start; a requeue or retry without an agent', () => {
  // Clients copy the task when the event fires (the API's taskView): a field set after it is
  // missing from their copy until the next event (issue 18: the UI's starting task had no agent).
  const { job, task, agents, deadlines } = setup();
  const seen: string[] = [];
  const verbs = new TaskVerbs({ deadlines, agents, events: { taskChanged: (t) => seen.push(`${t.state}:${t.agentId}:${t.attempt}:${t.startedAt === null ? 'unstarted' : 'started'}:${t.progress}`) } });
  verbs.assign(job, task, 'a1');
  verbs.progress(job, task, 0.5);
  verbs.requeue(job, task);
  verbs.assign(job, job.take()!, 'a1');
  verbs.failAttempt(job, task, 'boom', false);
  verbs.retry(job, task);
  assert.deepEqual(seen, [
    'assigned:a1:1:started:0',
    'running:a1:1:started:0',
    'running:a1:1:started:0.5',
    'queued:null:1:started:0',
    'assigned:a1:2:started:0',
    'failed:null:2:started:0',
    'queued:null:2:started:0',
  ]);
});
