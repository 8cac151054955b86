import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { MessageOf } from '../../../node-agent/protocol/index.js';
import { newTask } from '../jobs/new-job.js';
import type { TaskRecord, TaskState } from '../model/job-model.js';
import { planReconcile } from './reconcile-plan.js';

const output = { sha256: 'c'.repeat(64), size: 3, name: 'f_0001.png' };

function task(index: number, state: TaskState, attempt: number, agentId: string | null): TaskRecord {
  return { ...newTask('j1', index, `t${index}`, { type: 'noop' }, []), state, attempt, agentId };
}

function hello(running: [string, number][], held: [string, number][]): MessageOf<'agent.hello'> {
  return {
    type: 'agent.hello', agentId: 'A', name: 'a', hostname: 'a', slots: 1, tags: [],
    capabilities: { blender: null, ffmpeg: null, cores: 2, memoryBytes: 1, platform: 'linux', taskTypes: ['noop'] },
    running: running.map(([taskId, attempt]) => ({ taskId, attempt, jobId: 'j1' })),
    held: held.map(([taskId, attempt]) => ({ taskId, attempt, jobId: 'j1', outputs: [output] })),
  };
}

test('after a reconnect: keep, resume, collect, cancel and release by attempt', () => {
  const tasks = new Map<string, TaskRecord>([
    ['j1.0', task(0, 'running', 1, 'A')],     // still ours and running there: keep (no action)
    ['j1.1', task(1, 'queued', 2, null)],     // requeued on link loss, never reassigned: resume
    ['j1.2', task(2, 'assigned', 3, 'B')],    // reassigned to B (attempt 3): A's attempt 2 is stale
    ['j1.3', task(3, 'queued', 1, null)],     // finished on A while apart: collect
    ['j1.4', task(4, 'succeeded', 1, 'B')],   // already done elsewhere: release A's copy
  ]);
  const lookup = (id: string) => (tasks.has(id) ? { task: tasks.get(id)!, jobActive: true } : undefined);
  const plan = planReconcile(hello([['j1.0', 1], ['j1.1', 2], ['j1.2', 2]], [['j1.3', 1], ['j1.4', 1], ['other.9', 1]]), lookup);
  assert.deepEqual(plan.map((a) => ('task' in a ? `${a.kind} ${a.task.id}` : `${a.kind} ${a.taskId}#${a.attempt}`)), [
    'resume j1.1',
    'cancel j1.2#2',
    'collect j1.3',
    'release j1.4#1',
  ]);
});

test('a canceled job takes nothing back: running work is canceled, held outputs released', () => {
  const t = task(0, 'queued', 1, null);
  const plan = planReconcile(hello([['j1.0', 1]], [['j1.0', 1]]), () => ({ task: t, jobActive: false }));
  assert.deepEqual(plan.map((a) => a.kind), ['cancel', 'release']);
});

test('after a controller crash that lost an assignment: the agent\'s newer attempt of a queued task is taken back, not canceled', () => {
  // The store says queued at attempt 0 (the assignment was sent, then the controller died before saving it).
  const running = task(0, 'queued', 0, null);
  const finished = task(1, 'queued', 2, null);
  const tasks = new Map([['j1.0', running], ['j1.1', finished]]);
  const lookup = (id: string) => (tasks.has(id) ? { task: tasks.get(id)!, jobActive: true } : undefined);
  const plan = planReconcile(hello([['j1.0', 1]], [['j1.1', 3]]), lookup);
  assert.deepEqual(plan.map((a) => `${a.kind} ${'task' in a ? a.task.id : a.taskId}#${a.attempt}`), ['resume j1.0#1', 'collect j1.1#3']);
  // An older attempt than the store's is stale either way.
  const stale = planReconcile(hello([['j1.1', 1]], [['j1.1', 1]]), lookup);
  assert.deepEqual(stale.map((a) => a.kind), ['cancel', 'release']);
});
