import assert from 'node:assert/strict';
import { test } from 'node:test';
import { expectedOutputs } from '../../electron/controller/jobs/expected-outputs.js';
import { BlenderTaskSpecSchema } from '../../node-agent/protocol/index.js';
import { expectedOutputFiles } from '../../node-agent/runners/blender-argv.js';
import { viewFileNames } from '../../node-agent/runners/render-layout.js';

// The controller works out a render's frame names itself (it may import no runner code), and
// fails any attempt whose names differ: so its names must be exactly those the agent's Blender
// command line makes. The Blender integration tests render PNG only; this holds every format.

test('the controller expects exactly the frame files the agent\'s Blender command writes, in every format', () => {
  for (const format of BlenderTaskSpecSchema.shape.format.options) {
    for (const frames of [[1], [0, 1, 2], [9, 10, 11], [9999, 10000, 123456], [7, 7, 3]]) {
      const spec = { type: 'blender' as const, frames, outputName: 'My_Scene.v2', format };
      assert.deepEqual([...expectedOutputs({ id: 'j.0', attempt: 1, spec })].sort(), expectedOutputFiles(spec).sort(), `${format} ${frames.join(',')}`);
    }
  }
});

test('and, of a scene saving each view to its own file, exactly the view files the agent checks for', () => {
  for (const format of BlenderTaskSpecSchema.shape.format.options) {
    for (const viewSuffixes of [['_L', '_R'], ['.left', '-c', 'R']]) {
      const spec = { type: 'blender' as const, frames: [-2, 1, 10000], outputName: 'My_Scene.v2', format, viewSuffixes };
      const agent = expectedOutputFiles(spec).flatMap((name) => viewFileNames(name, spec.viewSuffixes));
      assert.deepEqual([...expectedOutputs({ id: 'j.0', attempt: 1, spec })].sort(), agent.sort(), `${format} ${viewSuffixes.join(',')}`);
    }
  }
});
