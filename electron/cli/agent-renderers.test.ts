import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { AgentView } from '../controller/api/contract.js';
import { agentColumns } from './agent-commands.js';
import { formatTable } from './cli-table.js';
import { blenderVersions, renderDeviceCell, scriptsCell } from './agent-renderers.js';

const agent = (over: Partial<AgentView>): AgentView => ({
  agentId: 'a1', name: 'box', hostname: 'box', url: 'wss://10.0.0.2:7300', online: true, enabled: true, slots: 1, busySlots: 0, tags: [], taskTypes: ['blender'], checking: [],
  blender: '3.4.1', ffmpeg: '5.1', cores: 8, ...over,
});

test('farmhand agents shows every Blender, the render device with its GPUs, and whether scripts are allowed', () => {
  const gpuBox = agent({
    blenders: [{ version: '4.1.1', devices: [{ backend: 'OPTIX', name: 'RTX 3090' }, { backend: 'CUDA', name: 'RTX 3090' }] }, { version: '3.4.1', devices: [{ backend: 'OPTIX', name: 'RTX 3090' }] }],
    renderDevice: 'OPTIX', allowScripts: true,
  });
  assert.equal(blenderVersions(gpuBox), 'blender 4.1.1, 3.4.1');
  assert.equal(renderDeviceCell(gpuBox), 'OPTIX: RTX 3090');
  assert.equal(scriptsCell(gpuBox), 'allowed');
  const cpuBox = agent({ renderDevice: 'cpu' });
  assert.deepEqual([blenderVersions(cpuBox), renderDeviceCell(cpuBox), scriptsCell(cpuBox)], ['blender 3.4.1', 'cpu', '-']);
  assert.deepEqual([blenderVersions(agent({ blender: null })), renderDeviceCell(agent({}))], [null, '-']);
  const lines = formatTable([gpuBox, cpuBox], agentColumns).split('\n');
  assert.match(lines[0]!, /TOOLS\s+DEVICE\s+SCRIPTS$/);
  assert.match(lines[1]!, /blender 4\.1\.1, 3\.4\.1, ffmpeg 5\.1\s+OPTIX: RTX 3090\s+allowed$/);
  assert.match(lines[2]!, /blender 3\.4\.1, ffmpeg 5\.1\s+cpu\s+-$/);
});
