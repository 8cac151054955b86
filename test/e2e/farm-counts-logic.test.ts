import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { AgentView } from '../../electron/controller/api/contract.js';
import { describeFarmCounts } from '../../renderer/src/model/farm-counts.js';

// The header's farm at a glance (issue 18): agents online and how many run something.

const agent = (id: string, over: Partial<AgentView> = {}): AgentView => ({ agentId: id, name: id, hostname: id, url: `wss://${id}`, online: true, enabled: true, slots: 2, busySlots: 0, tags: [], taskTypes: ['blender'], checking: [], blender: '4.1', ffmpeg: null, cores: 4, ...over });

test('agents online and busy: an agent counts once however many slots it fills; offline ones are left out', () => {
  assert.equal(describeFarmCounts([agent('a', { busySlots: 2 }), agent('b', { busySlots: 1 }), agent('c'), agent('gone', { online: false, busySlots: 1 })]), '3 agents · 2 busy');
  assert.equal(describeFarmCounts([agent('a', { enabled: false })]), '1 agent · 0 busy');
  assert.equal(describeFarmCounts([agent('gone', { online: false })]), 'no agents online');
  assert.equal(describeFarmCounts([]), 'no agents online');
});
