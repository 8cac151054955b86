import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { AgentRuntime } from '../agents/agent-runtime.js';
import type { TaskRecord } from '../model/job-model.js';
import { FailFast, pauseReason } from './fail-fast.js';
import type { JobRuntime } from './job-runtime.js';

// The rule on its own: plain stand-ins for a job (a key with an id) and agents (online, running).
const job = (id: string) => ({ id }) as unknown as JobRuntime;
const agent = (agentId: string, running: { jobId: string }[] = []) =>
  ({ agentId, online: true, running: new Map(running.map((t, i) => [`${t.jobId}.${i}`, t as TaskRecord])) }) as unknown as AgentRuntime;
const NO_CAMERA = 'Cannot render, no camera';
const SAID = 'Blender cannot render "a.blend": no camera is set for the scene; add one.';

test('the first attempts on two agents failing with the same scene fault pause the job, naming both', () => {
  const ff = new FailFast();
  const j = job('j1');
  assert.equal(ff.attemptEnded(j, 'a', 'render-a', NO_CAMERA, SAID), null, 'one agent is no second opinion');
  assert.equal(ff.attemptEnded(j, 'b', 'render-b', NO_CAMERA, SAID), 'Blender cannot render "a.blend": no camera is set for the scene; add one (the first attempts on agents render-a and render-b failed the same way).');
});

test('no pause: different faults, a success or another failure first, a later attempt, or another job', () => {
  const ff = new FailFast();
  const j = job('j1');
  ff.attemptEnded(j, 'a', 'a', NO_CAMERA, SAID);
  assert.equal(ff.attemptEnded(j, 'b', 'b', 'All render layers are disabled', 'x'), null, 'not the same fault');
  assert.equal(ff.attemptEnded(j, 'b', 'b', NO_CAMERA, SAID), null, 'b\'s first attempt already counted');
  const k = job('j2');
  ff.attemptEnded(k, 'a', 'a', null, null); // a succeeded first
  ff.attemptEnded(k, 'a', 'a', NO_CAMERA, SAID);
  assert.equal(ff.attemptEnded(k, 'b', 'b', NO_CAMERA, SAID), null, 'a\'s first attempt succeeded: the fault is not the scene\'s alone');
  assert.equal(ff.attemptEnded(job('j3'), 'c', 'c', NO_CAMERA, SAID), null, 'first attempts are counted per job');
});

test('an agent whose first attempt failed waits while another agent runs its first attempt of the job; alone, it goes on', () => {
  const ff = new FailFast();
  const j = job('j1');
  const a = agent('a');
  const b = agent('b', [{ jobId: 'j1' }]);
  const elsewhere = agent('c', [{ jobId: 'other' }]);
  assert.equal(ff.holdsBack(j, a, [a, b]), false, 'nothing failed yet');
  ff.attemptEnded(j, 'a', 'a', NO_CAMERA, SAID);
  assert.equal(ff.holdsBack(j, a, [a, b]), true, 'b\'s first attempt is on its way');
  assert.equal(ff.holdsBack(j, a, [a, elsewhere]), false, 'no other agent is running the job: normal retries');
  assert.equal(ff.holdsBack(j, a, [a]), false, 'one agent: normal retries');
  ff.attemptEnded(j, 'b', 'b', null, null);
  assert.equal(ff.holdsBack(j, a, [a, b]), false, 'b answered (it succeeded): a goes on');
  ff.forget(j);
  assert.equal(ff.holdsBack(j, a, [a, b]), false);
  assert.equal(ff.attemptEnded(j, 'a', 'a', NO_CAMERA, SAID), null, 'after a resume the first attempts count afresh');
});

test('the reason is one sentence', () => {
  assert.equal(pauseReason('It broke; fix it.', ['x', 'y']), 'It broke; fix it (the first attempts on agents x and y failed the same way).');
});
