import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ableCapacity, asCapacity } from './able-capacity.js';

test('slots are summed over the able agents: an agent with 2 slots counts twice', () => {
  assert.deepEqual(ableCapacity([{ slots: 2 }]), { agents: 1, slots: 2 });
  assert.deepEqual(ableCapacity([{ slots: 1 }, { slots: 4 }, { slots: 3 }]), { agents: 3, slots: 8 });
});

test('an empty farm is planned for one slot, and an agent never counts for less than one', () => {
  assert.deepEqual(ableCapacity([]), { agents: 1, slots: 1 });
  assert.deepEqual(ableCapacity([{ slots: 0 }, { slots: Number.NaN }, { slots: 2.7 }]), { agents: 3, slots: 4 });
});

test('a bare agent count is one slot per agent', () => {
  assert.deepEqual(asCapacity(3), { agents: 3, slots: 3 });
  assert.deepEqual(asCapacity({ agents: 1, slots: 6 }), { agents: 1, slots: 6 });
});
