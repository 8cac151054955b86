import assert from 'node:assert/strict';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { after, before, test } from 'node:test';
import type { SceneInfo } from '../../electron/controller/api/views.js';
import { compileBlenderJob } from '../../electron/controller/jobs/blender/blender-job.js';
import { jobFrameIndex } from '../../electron/controller/jobs/blender/job-frames.js';
import { readFrameList } from '../../electron/controller/jobs/frame-list.js';
import { describeFile } from '../../node-agent/protocol/index.js';
import { makeTestScene } from '../fixtures/test-scene.js';
import { AgentSettings } from '../../electron/controller/agents/agent-settings.js';
import { createFarmService } from '../../electron/controller/api/farm-service.js';
import { startLoopbackFarm } from '../helpers/loopback-farm.js';
import { startFarm } from '../../electron/farm/start-farm.js';
import { createAgent } from '../../node-agent/create-agent.js';
import { generateFarmKey } from '../../node-agent/protocol/index.js';

// Preview first on a real render: one agent with one slot renders the shot's first, last and
// middle frame, then its quarters, each as its own task, before the rest fills in; every frame
// is rendered once and the video still gets all of them.

let dir: string;
let scene: string;

before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'fh-preview-first-'));
  scene = await makeTestScene(dir, { frames: 40, width: 32, height: 24, samples: 2 });
});

after(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
});

test('one agent, one slot: tasks start first, last, middle, quarters, then the rest; frames land in that order, each once, and the video gets all 40', async () => {
  const farm = await startLoopbackFarm({ agents: [{ slots: 1 }] });
  try {
    await farm.waitFor(() => farm.controller.agents().some((a) => a.online), 'the agent online');
    const outputDir = join(dir, 'out');
    const sceneInfo: SceneInfo = { frameStart: 1, frameEnd: 40, frameStep: 1, fps: 24, resolution: [32, 24], engine: 'CYCLES', fileFormat: 'PNG', outputPath: '//render/frame_', camera: 'Camera', scenes: ['Scene'] };
    const job = compileBlenderJob(
      { scenePath: scene, frames: readFrameList('1-40'), chunkSize: 40, outputDir, previewFirst: true, video: true },
      { scene: await describeFile(scene, basename(scene)), scenePath: scene, sceneInfo, agentCount: 1 },
    );
    const started: string[] = [];
    const landed: number[] = [];
    const seen = new Map<string, number>();
    farm.controller.events.on('task', (task) => {
      if (task.jobId !== job.id) return;
      if (task.state === 'assigned' && !started.includes(task.label)) started.push(task.label);
      if (task.spec.type !== 'blender') return;
      for (const name of task.collected.slice(seen.get(task.id) ?? 0)) landed.push(Number(/_(\d{4})\.png$/.exec(name)![1]));
      seen.set(task.id, task.collected.length);
    });
    farm.controller.submit(job);
    const summary = await farm.controller.waitForJob(job.id);
    assert.equal(summary.state, 'succeeded', summary.failure ?? '');

    assert.deepEqual(started, ['frame 1', 'frame 40', 'frame 21', 'frame 11', 'frame 30', 'frames 2-10,12-20,22-29,31-39', 'video']);
    assert.deepEqual(landed.slice(0, 5), [1, 40, 21, 11, 30]);
    assert.deepEqual(landed.slice(5), [...Array.from({ length: 39 }, (_, i) => i + 2)].filter((f) => ![40, 21, 11, 30].includes(f)));
    const files = (await readdir(outputDir)).filter((f) => f.endsWith('.png')).sort();
    assert.deepEqual(files, Array.from({ length: 40 }, (_, i) => `test-scene_${String(i + 1).padStart(4, '0')}.png`));
    assert.ok((await readdir(outputDir)).includes('test-scene.mp4'));
    // The frame grid's order is the shot's, every frame rendered.
    assert.deepEqual(jobFrameIndex(job).frames, Array.from({ length: 40 }, (_, i) => i + 1));
    assert.ok(job.tasks.every((t) => t.attempt === 1), 'each task ran once');
  } finally {
    await farm.close();
  }
});

test('through the API the preview fills every slot once: two agents of 4 slots get 8 preview frames of an 80-frame shot, not one per agent', async () => {
  const farm = await startLoopbackFarm({ agents: [{ slots: 4 }, { slots: 4 }] });
  try {
    const service = createFarmService(farm.controller, { outputRoot: join(dir, 'out-slots'), home: join(farm.dir, 'service'), agentSettings: await AgentSettings.open(null) });
    await farm.waitFor(() => farm.controller.agents().filter((a) => a.online).length === 2, 'both agents online');
    // A tag no agent has: the job is planned for the farm's slots but waits, so nothing renders.
    const submitted = await service.api['jobs.submit']({ type: 'render', scenePath: scene, frames: '1-80', previewFirst: true, outputDir: join(dir, 'out-slots'), priority: 50, tags: ['nowhere'], video: false });
    const tasks = (await service.api['tasks.list']({ jobId: submitted.id, offset: 0, limit: 100 })).items;
    assert.deepEqual(tasks.filter((t) => t.preview).map((t) => t.label), ['frame 1', 'frame 80', 'frame 41', 'frame 21', 'frame 60', 'frame 11', 'frame 31', 'frame 50']);
    assert.ok(tasks.every((t) => t.state === 'queued'));
    await service.api['jobs.cancel']({ jobId: submitted.id });
  } finally {
    await farm.close();
  }
});

test('the one-shot farm (`farmhand render`) plans for the able agents\' slots: one agent of 3 slots and one of 2 are 2 agents, 5 slots', async () => {
  const farmKey = generateFarmKey();
  const agents = await Promise.all([3, 2].map((slots, i) => createAgent({ farmKey, name: `slots-${i}`, slots, dataDir: join(dir, `slots-${i}`), host: '127.0.0.1', port: 0, mdns: false, allowNoop: true })));
  const farm = await startFarm({ home: join(dir, 'one-shot-home'), farmKey, agent: agents.map((a) => a.url), discover: false, mdnsInterface: '127.0.0.1', localAgent: false, agentWait: 5, logger: { warning: () => undefined, notice: () => undefined } });
  try {
    assert.equal(await farm.waitForAgents('noop'), 2);
    assert.deepEqual(farm.ableCapacity('noop'), { agents: 2, slots: 5 });
    assert.deepEqual(farm.ableCapacity('no-such-task-type'), { agents: 1, slots: 1 }, 'no able agent: planned for one slot, as before');
  } finally {
    await farm.close();
    await Promise.all(agents.map((a) => a.close().catch(() => undefined)));
  }
});
