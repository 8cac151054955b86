import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { AgentRuntime } from '../agents/agent-runtime.js';
import { taskView } from '../api/farm-service.js';
import { newJob, newTask } from '../jobs/new-job.js';
import type { TaskRecord } from '../model/job-model.js';
import { MAX_ATTEMPTS_KEPT } from './attempt-history.js';
import { JobRuntime } from './job-runtime.js';
import { TaskDeadlines } from './task-deadlines.js';
import { requeueLoaded, TaskVerbs } from './task-verbs.js';

// A failed task names the agent of the attempt that failed (its agentId is cleared by then), and
// every attempt keeps its agent, times and outcome for the log viewer's attempt picker.

function setup() {
  const task = newTask('j1', 0, 'frame 7', { type: 'noop' }, []);
  const job = new JobRuntime(newJob({ id: 'j1', name: 'job', type: 'noop', priority: 50, tags: [], outputDir: '/tmp/out', inputFiles: [], settings: {}, tasks: [task] }), new Map());
  const agents = new Map<string, AgentRuntime>();
  for (const [agentId, name] of [['a1', 'render-1'], ['a2', 'render-2']]) agents.set(agentId!, { agentId, name, running: new Map<string, TaskRecord>(), collecting: new Set<string>() } as unknown as AgentRuntime);
  const verbs = new TaskVerbs({ deadlines: new TaskDeadlines(), agents, events: { taskChanged: () => undefined } });
  return { job, task, verbs, agents };
}

test('a task that failed for good still names the agent of its failed attempt', () => {
  const { job, task, verbs } = setup();
  verbs.assign(job, task, 'a1');
  verbs.failAttempt(job, task, 'Cannot render, no camera', false);
  assert.equal(task.state, 'failed');
  assert.equal(task.agentId, null);
  assert.deepEqual(taskView(task).lastAgent, { agentId: 'a1', name: 'render-1' });
});

test('each attempt keeps its agent, times and outcome, oldest first', () => {
  const { job, task, verbs, agents } = setup();
  verbs.assign(job, task, 'a1');
  verbs.failAttempt(job, task, 'Blender exited with code 1', true);
  verbs.assign(job, task, 'a2');
  verbs.requeue(job, task); // the agent was lost: no failure
  agents.get('a1')!.name = 'renamed';
  verbs.assign(job, task, 'a1');
  verbs.succeed(job, task);
  const history = task.history!;
  assert.deepEqual(history.map((a) => [a.attempt, a.agentId, a.agentName, a.outcome, a.error ?? null]), [
    [1, 'a1', 'render-1', 'failed', 'Blender exited with code 1'],
    [2, 'a2', 'render-2', 'requeued', null],
    [3, 'a1', 'renamed', 'succeeded', null],
  ]);
  for (const a of history) assert.ok(a.endedAt !== null && a.endedAt >= a.startedAt);
  assert.deepEqual(taskView(task).lastAgent, { agentId: 'a1', name: 'renamed' });
});

test('a canceled or restarted attempt ends; a queued task canceled adds none; the history is bounded', () => {
  const { job, task, verbs } = setup();
  assert.equal(taskView(task).lastAgent, undefined, 'never run: no agent');
  verbs.cancel(job, task);
  assert.equal(task.history, undefined);
  verbs.retry(job, task);
  verbs.assign(job, task, 'a2');
  requeueLoaded(task); // the controller restarted while it ran
  assert.equal(task.history!.at(-1)!.outcome, 'requeued');
  for (let i = 0; i < MAX_ATTEMPTS_KEPT + 5; i++) {
    if (task.state !== 'queued') verbs.retry(job, task);
    verbs.assign(job, task, 'a1');
    verbs.cancel(job, task);
  }
  assert.equal(task.history!.length, MAX_ATTEMPTS_KEPT);
  assert.equal(task.history!.at(-1)!.attempt, task.attempt);
  assert.equal(task.history!.at(-1)!.outcome, 'canceled');
});
