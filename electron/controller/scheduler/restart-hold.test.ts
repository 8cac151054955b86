import assert from 'node:assert/strict';
import { test } from 'node:test';
import { RestartHold } from './restart-hold.js';

test('an agent coming back releases only its own tasks', () => {
  const released: [string[], string][] = [];
  const hold = new RestartHold(10_000, (ids, why) => released.push([ids, why]));
  hold.hold('t1', 'a');
  hold.hold('t2', 'b');
  hold.hold('t3', 'a');
  hold.agentBack('a');
  assert.deepEqual(released, [[['t1', 't3'], 'agent-back']]);
  hold.agentBack('a');
  assert.equal(released.length, 1, 'nothing twice');
  hold.forget('t2');
  hold.agentBack('b');
  assert.ok(!released.some(([ids]) => ids.includes('t2')), 'a forgotten task is never released');
});

test('when the grace ends, every task still waiting is released', async () => {
  const released: [string[], string][] = [];
  const hold = new RestartHold(30, (ids, why) => released.push([ids, why]));
  hold.hold('t1', 'a');
  hold.hold('t2', 'b');
  hold.agentBack('b');
  await new Promise((r) => setTimeout(r, 80));
  assert.deepEqual(released, [[['t2'], 'agent-back'], [['t1'], 'grace-over']]);
});

test('the queue is held until every awaited agent is back, then released once', () => {
  const released: [string[], string][] = [];
  const hold = new RestartHold(10_000, (ids, why) => released.push([ids, why]));
  hold.awaitAgent('a');
  hold.awaitAgent('b');
  hold.hold('t1', 'a');
  assert.equal(hold.holdsQueue(), true);
  hold.agentBack('a');
  assert.equal(hold.holdsQueue(), true, 'b may have been sent a task the store never saw');
  assert.deepEqual(released, [[['t1'], 'agent-back']]);
  hold.agentBack('b');
  assert.equal(hold.holdsQueue(), false);
  assert.deepEqual(released.at(-1), [[], 'agent-back']);
  hold.agentBack('c');
  assert.equal(released.length, 2, 'an agent nobody waited for releases nothing');
});

test('an awaited agent that never comes back holds the queue only until the grace ends', async () => {
  const released: [string[], string][] = [];
  const hold = new RestartHold(30, (ids, why) => released.push([ids, why]));
  hold.awaitAgent('gone');
  assert.equal(hold.holdsQueue(), true);
  await new Promise((r) => setTimeout(r, 80));
  assert.equal(hold.holdsQueue(), false);
  assert.deepEqual(released, [[[], 'grace-over']]);
});
