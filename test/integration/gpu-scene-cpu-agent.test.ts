import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, before, test } from 'node:test';
import { compileBlenderJob } from '../../electron/controller/jobs/blender/blender-job.js';
import { findBlender } from '../../electron/controller/jobs/blender/find-blender.js';
import { readFrameList } from '../../electron/controller/jobs/frame-list.js';
import { gpuSceneOnCpuSentence } from '../../electron/controller/scheduler/gpu-scene-on-cpu.js';
import { GPU_SCENE_ON_CPU_TASK_WARNING } from '../../node-agent/protocol/gpu-fallback-warning.js';
import { describeFile, generateFarmKey, type Message, type MessageOf } from '../../node-agent/protocol/index.js';
import { makeTestScene } from '../fixtures/test-scene.js';
import { startLoopbackFarm } from '../helpers/loopback-farm.js';
import { renderReference, type ReferenceRender } from '../helpers/reference-render.js';
import { Proc } from '../helpers/proc.js';
import { renamedBlender, renamedBlenderRuns } from '../helpers/renamed-blender.js';
import { runCommand } from '../helpers/run-command.js';
import { renderDifferences } from '../helpers/same-render.js';
import { makeScratchDir } from '../helpers/scratch.js';
import { editScene } from '../helpers/warning-scene.js';

/**
 * A scene set to render on the GPU, on this box, which has none, through a real agent and
 * controller on loopback: the agent's probe finds no GPU (capabilities, no `gpu` tag, the
 * cache), the frame renders on the CPU, equal to `blender -b` (which also renders it on the
 * CPU here), and the agent's task.done says so (the controller says it once on the job). And
 * the agent refuses to start when told to use
 * a GPU backend or GPUs it does not have.
 */

let scratch: { dir: string; cleanup: () => Promise<void> };
let gpuScene: string;
let reference: ReferenceRender;

before(async () => {
  if (!findBlender()) throw new Error('Blender is not installed: apt-get install -y blender');
  scratch = await makeScratchDir('farmhand-gpu-scene');
  const home = join(scratch.dir, 'home');
  const cpuScene = await makeTestScene(join(scratch.dir, 'cpu'), { frames: 1, width: 32, height: 18, samples: 2 });
  gpuScene = await editScene(cpuScene, join(scratch.dir, 'gpu/shot.blend'), 'bpy.context.scene.cycles.device = "GPU"', home);
  reference = await renderReference(gpuScene, join(scratch.dir, 'reference'), [1]);
});

after(async () => {
  await scratch?.cleanup();
});

test('a GPU scene on a CPU-only agent renders on the CPU, equal to blender -b, and its task.done carries the warning', async () => {
  const farm = await startLoopbackFarm({ agents: [{ blenderPath: findBlender()! }] });
  // What the agent sent, as the controller's scheduler received it off the wire.
  const done: MessageOf<'task.done'>[] = [];
  const scheduler = farm.controller.scheduler;
  const received = scheduler.agentMessage.bind(scheduler);
  scheduler.agentMessage = (link, message: Message) => {
    if (message.type === 'task.done') done.push(message);
    received(link, message);
  };
  try {
    await farm.waitFor(() => farm.controller.agents().some((a) => a.online), 'the agent online');
    const caps = farm.agents[0]!.capabilities;
    assert.deepEqual(caps.blenders?.map((b) => b.devices), [[]], 'Cycles sees no GPU here');
    assert.equal(caps.renderDevice, 'cpu');
    assert.deepEqual(farm.controller.agents()[0]!.tags, [], 'no automatic gpu tag');
    const cached = JSON.parse(await readFile(join(farm.dir, 'agent-0', 'gpu-devices.json'), 'utf8')) as Record<string, { version: string; devices: unknown[] }>;
    assert.deepEqual(Object.values(cached).map((e) => [e.version, e.devices]), [[caps.blenders![0]!.version, []]]);

    const out = join(farm.dir, 'out');
    const job = compileBlenderJob(
      { scenePath: gpuScene, frames: readFrameList('1'), chunkSize: 1, outputDir: out, format: 'PNG', maxAttempts: 1 },
      { scene: await describeFile(gpuScene, basename(gpuScene)), scenePath: gpuScene, sceneInfo: null, agentCount: 1 },
    );
    farm.controller.submit(job);
    const summary = await farm.controller.waitForJob(job.id);
    assert.equal(summary.state, 'succeeded', summary.failure ?? job.tasks[0]!.error ?? '');
    assert.deepEqual(done.map((m) => m.warnings), [[GPU_SCENE_ON_CPU_TASK_WARNING]]);
    assert.deepEqual(job.warnings, [gpuSceneOnCpuSentence(job.name)], 'said once, on the job');
    assert.deepEqual(job.tasks[0]!.warnings ?? [], [], 'and not again on the task');
    assert.deepEqual(await renderDifferences(job.outputDir, reference, { prefix: 'shot', frames: [1] }), []);
  } finally {
    await farm.close();
  }
});

test('the agent refuses to start with a GPU backend or GPUs it does not have, in one sentence (the second start reads the cached probe)', async () => {
  const root = fileURLToPath(new URL('../..', import.meta.url));
  const dataDir = join(scratch.dir, 'cli-agent');
  const start = (extra: string[]) => runCommand([process.execPath, '--import', 'tsx', join(root, 'node-agent/cli.ts')],
    ['--no-mdns', '--host', '127.0.0.1', '--port', '0', '--data-dir', dataDir, '--farm-key', generateFarmKey(), ...extra],
    { cwd: root, env: { FARMHAND_BLENDER: findBlender()! }, timeoutMs: 60_000 });

  let started = performance.now();
  const optix = await start(['--render-device', 'optix']);
  const firstMs = performance.now() - started;
  assert.equal(optix.code, 2, optix.stderr);
  assert.equal(optix.stderr, 'farmhand-agent: This agent has no OPTIX device (Cycles sees no GPU here); start it with --render-device auto or cpu.\n');

  started = performance.now();
  const gpus = await start(['--gpus', '0']);
  const secondMs = performance.now() - started;
  assert.equal(gpus.code, 2, gpus.stderr);
  assert.equal(gpus.stderr, 'farmhand-agent: --gpus was given but Cycles sees no GPU on this agent; drop --gpus (it renders on the CPU).\n');

  const wrong = await start(['--render-device', 'opencl']);
  assert.equal(wrong.code, 1);
  assert.match(wrong.stderr, /--render-device must be one of auto, cpu, OPTIX, CUDA, HIP, ONEAPI, METAL, not "opencl"\./);
  console.log(`refused start: ${firstMs.toFixed(0)} ms probing, ${secondMs.toFixed(0)} ms from the cache`);
});

test('--cpu-threads N gives Blender -t N for a task without threads of its own; a task\'s own threads win', async () => {
  // The agent's Blender is the real one under another path, which logs each command line it runs.
  const version = (await runCommand([findBlender()!], ['--version'], { cwd: scratch.dir, env: {}, timeoutMs: 30_000 })).stdout.match(/^Blender (\d+\.\d+\.\d+)/m)![1]!;
  const logged = await renamedBlender(join(scratch.dir, 'threads'), version);
  const farm = await startLoopbackFarm({ agents: [{ blenderPath: logged, cpuThreads: 1 }] });
  try {
    await farm.waitFor(() => farm.controller.agents().some((a) => a.online), 'the agent online');
    const render = async (threads?: number) => {
      const job = compileBlenderJob(
        { scenePath: gpuScene, frames: readFrameList('1'), chunkSize: 1, outputDir: join(farm.dir, `out-${threads ?? 'agent'}`), format: 'PNG', maxAttempts: 1 },
        { scene: await describeFile(gpuScene, basename(gpuScene)), scenePath: gpuScene, sceneInfo: null, agentCount: 1 },
      );
      if (threads !== undefined && job.tasks[0]!.spec.type === 'blender') job.tasks[0]!.spec.threads = threads;
      farm.controller.submit(job);
      const summary = await farm.controller.waitForJob(job.id);
      assert.equal(summary.state, 'succeeded', summary.failure ?? job.tasks[0]!.error ?? '');
    };
    await render();
    await render(2);
    const runs = await renamedBlenderRuns(logged);
    assert.equal(runs.length, 2, runs.join('\n'));
    assert.match(runs[0]!, / -t 1 /);
    assert.match(runs[1]!, / -t 2 /);
  } finally {
    await farm.close();
  }
});

test('the agent\'s start-up line says where it renders: the CPU here, Cycles seeing no GPU', async () => {
  const root = fileURLToPath(new URL('../..', import.meta.url));
  const agent = new Proc(spawn(process.execPath, ['--import', 'tsx', join(root, 'node-agent/cli.ts'), '--host', '127.0.0.1', '--port', '0', '--no-mdns',
    '--data-dir', join(scratch.dir, 'cli-start'), '--cpu-threads', '2'], {
    cwd: root, env: { ...process.env, FARMHAND_FARM_KEY: generateFarmKey(), FARMHAND_BLENDER: findBlender()! }, stdio: ['ignore', 'pipe', 'pipe'],
  }));
  try {
    await agent.waitFor(/listening on 127\.0\.0\.1:\d+/, 60_000);
    await agent.waitFor(/render device/, 5_000);
    assert.ok(agent.lines.some((l) => l.text === '[agent] render device: CPU (Cycles sees no GPU here)'), agent.text());
  } finally {
    agent.child.kill('SIGTERM');
    await agent.exited;
  }
});
