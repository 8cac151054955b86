import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { TaskRecord, TaskState } from '../model/job-model.js';
import { newTask } from '../jobs/new-job.js';
import { planStaging } from './input-staging.js';

const spec = { type: 'noop', durationMs: 0 } as const;
const ref = (n: number) => ({ name: `chunk-${n}.nut`, sha256: String(n).repeat(64).slice(0, 64), size: 1000 * n });

/** Three chunk tasks and a join that consumes their outputs. */
function farm(states: [TaskState, string | null][]): { chunks: TaskRecord[]; join: TaskRecord; byId: (id: string) => TaskRecord | undefined } {
  const chunks = states.map(([state, agentId], i) => {
    const t = newTask('job', i, `chunk ${i}`, spec, [], [], { intermediate: true });
    t.state = state;
    t.agentId = agentId;
    if (state === 'succeeded') t.outputs = [ref(i + 1)];
    return t;
  });
  const join = newTask('job', 9, 'join', spec, [], chunks.map((c) => c.id), { inputsFromDependencies: true });
  const all = [...chunks, join];
  return { chunks, join, byId: (id) => all.find((t) => t.id === id) };
}

test('the agent running the last dependency gets the finished inputs it does not hold', () => {
  const { join, byId } = farm([['succeeded', 'A'], ['succeeded', 'B'], ['running', 'A']]);
  const heldByA = new Set([ref(1).sha256]);
  const plans = planStaging([join], byId, (sha, agent) => agent === 'A' && heldByA.has(sha));
  assert.deepEqual(plans, [{ agentId: 'A', inputs: [ref(2)] }]);
});

test('nothing is staged while two dependencies are open, when the last one is not running yet, or when all is held', () => {
  const none = () => false;
  const twoOpen = farm([['succeeded', 'A'], ['running', 'B'], ['running', 'A']]);
  assert.deepEqual(planStaging([twoOpen.join], twoOpen.byId, none), []);
  const notStarted = farm([['succeeded', 'A'], ['succeeded', 'B'], ['queued', null]]);
  assert.deepEqual(planStaging([notStarted.join], notStarted.byId, none), []);
  const allHeld = farm([['succeeded', 'A'], ['succeeded', 'A'], ['assigned', 'A']]);
  assert.deepEqual(planStaging([allHeld.join], allHeld.byId, () => true), []);
});

test('a consumer that does not take its dependencies\' outputs, or already left the queue, is not staged', () => {
  const { join, byId } = farm([['succeeded', 'A'], ['succeeded', 'B'], ['running', 'A']]);
  assert.deepEqual(planStaging([{ ...join, inputsFromDependencies: false }], byId, () => false), []);
  assert.deepEqual(planStaging([{ ...join, state: 'canceled' }], byId, () => false), []);
});
