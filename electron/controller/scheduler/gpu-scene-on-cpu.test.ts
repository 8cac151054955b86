import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { BlenderTaskSpec, Capabilities } from '../../../node-agent/protocol/index.js';
import { newJob, newTask } from '../jobs/new-job.js';
import { GPU_SCENE_ON_CPU_TASK_WARNING } from '../../../node-agent/protocol/gpu-fallback-warning.js';
import { addJobWarning, gpuSceneOnCpuSentence, gpuSceneOnCpuWarning, liftGpuFallback } from './gpu-scene-on-cpu.js';
import { JobRuntime } from './job-runtime.js';

const spec = (over: Partial<BlenderTaskSpec> = {}): BlenderTaskSpec => ({ type: 'blender', frames: [1], outputName: 'shot', format: 'PNG', ...over });
const on = (caps: Partial<Capabilities>) => ({ capabilities: caps as Capabilities });
const gpuScene = { name: 'shot.blend', settings: { cyclesDevice: 'GPU' } };

test('a GPU scene left to its own device and rendered by an agent without a GPU warns; every other case does not', () => {
  const sentence = 'shot.blend is set to render on the GPU, but frames of it rendered on the CPU: no agent running them has a GPU. Submit with --device gpu to render only on agents with one.';
  assert.equal(gpuSceneOnCpuSentence('shot.blend'), sentence);
  assert.equal(gpuSceneOnCpuWarning(gpuScene, spec(), on({ renderDevice: 'cpu' })), sentence);
  assert.equal(gpuSceneOnCpuWarning(gpuScene, spec(), on({})), sentence, 'no render device said: the CPU');
  assert.equal(gpuSceneOnCpuWarning(gpuScene, spec(), on({ renderDevice: 'OPTIX' })), null);
  assert.equal(gpuSceneOnCpuWarning(gpuScene, spec({ device: 'cpu' }), on({ renderDevice: 'cpu' })), null, 'the user asked for the CPU');
  assert.equal(gpuSceneOnCpuWarning(gpuScene, spec({ engine: 'BLENDER_EEVEE' }), on({})), null);
  assert.equal(gpuSceneOnCpuWarning({ name: 'shot.blend', settings: { cyclesDevice: 'CPU' } }, spec(), on({})), null);
  assert.equal(gpuSceneOnCpuWarning({ name: 'shot.blend', settings: {} }, spec(), on({})), null);
});

test('the job carries it once however many chunks rendered on the CPU, and is marked to be saved', () => {
  const job = new JobRuntime(newJob({ id: 'j1', name: 'shot.blend', type: 'blender', priority: 50, tags: [], outputDir: '/tmp/out', inputFiles: [], settings: {}, tasks: [newTask('j1', 0, 'frames 1', spec(), [])] }), new Map());
  job.record.warnings = ['Submitted with 1 missing file(s): //a.png; frames that use them will render wrong.'];
  const sentence = gpuSceneOnCpuSentence('shot.blend');
  assert.equal(addJobWarning(job, sentence), true);
  assert.equal(job.jobFieldsChanged, true);
  job.jobFieldsChanged = false;
  assert.equal(addJobWarning(job, sentence), false);
  assert.equal(job.jobFieldsChanged, false);
  assert.deepEqual(job.summary().warnings, ['Submitted with 1 missing file(s): //a.png; frames that use them will render wrong.', sentence]);
});

test('the agent\'s own fallback sentence goes to the job (even when the controller could not tell the scene\'s device); other warnings stay on the task', () => {
  const modifier = 'The modifier "MC" on object "Plane" failed: Vertex count mismatch.';
  const sentence = gpuSceneOnCpuSentence('shot.blend');
  assert.deepEqual(liftGpuFallback({ name: 'shot.blend', settings: {} }, spec(), on({}), [modifier, GPU_SCENE_ON_CPU_TASK_WARNING]), { taskWarnings: [modifier], jobWarning: sentence });
  assert.deepEqual(liftGpuFallback(gpuScene, spec(), on({ renderDevice: 'cpu' }), [GPU_SCENE_ON_CPU_TASK_WARNING]), { taskWarnings: [], jobWarning: sentence });
  assert.deepEqual(liftGpuFallback(gpuScene, spec(), on({ renderDevice: 'cpu' }), undefined), { taskWarnings: undefined, jobWarning: sentence });
  assert.deepEqual(liftGpuFallback(gpuScene, spec(), on({ renderDevice: 'OPTIX' }), [modifier]), { taskWarnings: [modifier], jobWarning: null });
  const other = 'The scene asks for GPU rendering but Blender 3.4.1 on this agent sees none of its OPTIX devices; frames were rendered on the CPU.';
  assert.deepEqual(liftGpuFallback(gpuScene, spec(), on({ renderDevice: 'OPTIX' }), [other]), { taskWarnings: [other], jobWarning: null }, 'a GPU agent whose Blender could not use it is that task\'s news');
});
