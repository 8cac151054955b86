import assert from 'node:assert/strict';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { after, before, test } from 'node:test';
import type { AgentView } from '../../electron/controller/agents/agent-runtime.js';
import { compileBlenderJob } from '../../electron/controller/jobs/blender/blender-job.js';
import { readFrameList } from '../../electron/controller/jobs/frame-list.js';
import { probeCapabilities, type CapabilityProbe, type ProbedCapabilities } from '../../node-agent/capabilities.js';
import { createAgent, type Agent } from '../../node-agent/create-agent.js';
import { describeFile } from '../../node-agent/protocol/index.js';
import { makeTestScene } from '../fixtures/test-scene.js';
import { freePort } from '../helpers/free-port.js';
import { startLoopbackFarm } from '../helpers/loopback-farm.js';

// An agent's first start ever runs `blender --version` (half a second or more here). It is
// online in the controller meanwhile, saying Blender is still being checked; Blender work
// waits for the check instead of being given to it or failing, then runs once the agent
// reports the verdict (`agent.capabilities`). The check's end is held back by the test
// (its answer is the real probe's) so that the order is certain.

let dir: string;
let scene: string;
let probed: ProbedCapabilities;

before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'fh-first-start-'));
  scene = await makeTestScene(dir, { frames: 1, width: 32, height: 18, samples: 2 });
  probed = await probeCapabilities({ allowNoop: true });
  assert.ok(probed.blender, 'this test needs Blender installed');
});

after(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
});

test('an agent still checking Blender is online at once, gets Blender work only after the check, and renders it', async () => {
  const farm = await startLoopbackFarm({ agents: [] });
  let agent: Agent | undefined;
  try {
    let release!: () => void;
    const checked = new Promise<void>((resolve) => (release = resolve));
    let done = false;
    const { warnings: _, ...final } = probed;
    const stillChecking = { ...final, blender: null, taskTypes: final.taskTypes.filter((t) => t !== 'blender'), checking: ['blender'] };
    const probe: CapabilityProbe = {
      current: () => (done ? final : stillChecking),
      done: checked.then(() => {
        done = true;
        return probed;
      }),
    };
    const views: AgentView[] = [];
    farm.controller.events.on('agent', (view) => views.push(view));

    const port = await freePort();
    const starting = createAgent({ farmKey: farm.farmKey, dataDir: join(dir, 'agent'), host: '127.0.0.1', port, mdns: false, allowNoop: true, capabilities: probe });
    farm.controller.pool.add(`wss://127.0.0.1:${port}`);
    await farm.waitFor(() => views.some((v) => v.online), 'the agent online while it still checks Blender');
    const first = views.find((v) => v.online)!;
    assert.equal(first.blender, null);
    assert.deepEqual(first.checking, ['blender']);
    assert.ok(!first.taskTypes.includes('blender'));

    const job = compileBlenderJob(
      { scenePath: scene, frames: readFrameList('1'), chunkSize: 1, outputDir: join(dir, 'out') },
      { scene: await describeFile(scene, basename(scene)), scenePath: scene, sceneInfo: null, agentCount: 1 },
    );
    farm.controller.submit(job);
    await farm.waitFor(() => farm.notices.some((n) => n.includes('still checking that their tool for blender tasks runs')), 'the job saying why it waits');
    await new Promise((r) => setTimeout(r, 300));
    assert.equal(job.tasks[0]!.state, 'queued', 'a Blender task went to an agent that had not confirmed Blender');

    release();
    agent = await starting;
    assert.equal(agent.capabilities.blender?.version, probed.blender!.version);
    const summary = await farm.controller.waitForJob(job.id);
    assert.equal(summary.state, 'succeeded', summary.failure ?? '');
    assert.deepEqual(await readdir(join(dir, 'out')), ['test-scene_0001.png']);
    const last = views.at(-1)!;
    assert.equal(last.blender, probed.blender!.version);
    assert.deepEqual(last.checking, []);
  } finally {
    await farm.close();
    await agent?.close();
  }
});
