import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { PLANNING_MEMORY_FILE, PlanningMemory } from './planning-memory.js';

// The agents' speeds the planner remembers between jobs (chunk-plan.json): a slow agent's first
// chunk of the next job is sized for it.

async function scratch(t: { after(fn: () => Promise<void>): void }): Promise<string> {
  const home = await mkdtemp(join(tmpdir(), 'farmhand-planning-memory-'));
  t.after(() => rm(home, { recursive: true, force: true }));
  return home;
}

test('an agent speed factor is kept in chunk-plan.json and read back by the next run', async (t) => {
  const home = await scratch(t);
  const memory = await PlanningMemory.open(home);
  assert.equal(memory.agentSpeedFactor('slow'), null);
  memory.noteAgentSpeedFactor('slow', 2.5);
  await memory.flush();
  const again = await PlanningMemory.open(home);
  assert.equal(again.agentSpeedFactor('slow'), 2.5);
  assert.equal(again.agentSpeedFactor('other'), null);
});

test('a speed factor is a running mean over the last measures, bounded, and a bad measure is ignored', async () => {
  const memory = await PlanningMemory.open(null);
  memory.noteAgentSpeedFactor('a', 3);
  memory.noteAgentSpeedFactor('a', 1);
  assert.equal(memory.agentSpeedFactor('a'), 2);
  memory.noteAgentSpeedFactor('a', Number.NaN);
  memory.noteAgentSpeedFactor('a', -1);
  assert.equal(memory.agentSpeedFactor('a'), 2);
  memory.noteAgentSpeedFactor('wild', 1e9);
  assert.equal(memory.agentSpeedFactor('wild'), 20);
});

test('a file written before speeds were kept is read whole, with no speeds; a broken speed entry is dropped', async (t) => {
  const home = await scratch(t);
  const file = join(home, PLANNING_MEMORY_FILE);
  await writeFile(file, JSON.stringify({ version: 1, startups: { 'a|3.4.1': { ms: 2100, n: 3, at: 1 } }, scenes: {} }));
  const old = await PlanningMemory.open(home);
  assert.equal(old.startupMs('a', '3.4.1'), 2100);
  assert.equal(old.agentSpeedFactor('a'), null);
  await writeFile(file, JSON.stringify({ version: 1, startups: {}, scenes: {}, speeds: { a: { factor: 'fast', n: 1, at: 1 }, b: { factor: 1e6, n: 1, at: 1 }, c: { factor: 0.8, n: 2, at: 1 } } }));
  const mixed = await PlanningMemory.open(home);
  assert.deepEqual(['a', 'b', 'c'].map((id) => mixed.agentSpeedFactor(id)), [null, null, 0.8]);
  mixed.noteAgentSpeedFactor('c', 0.8);
  await mixed.flush();
  assert.deepEqual(Object.keys(JSON.parse(await readFile(file, 'utf8')).speeds), ['c']);
});
