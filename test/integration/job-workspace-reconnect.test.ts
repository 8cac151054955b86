import assert from 'node:assert/strict';
import { existsSync, readdirSync } from 'node:fs';
import { readdir } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { test } from 'node:test';
import { compileBlenderJob } from '../../electron/controller/jobs/blender/blender-job.js';
import { readFrameList } from '../../electron/controller/jobs/frame-list.js';
import { describeFile } from '../../node-agent/protocol/index.js';
import { startLoopbackFarm } from '../helpers/loopback-farm.js';
import { makeScratchDir } from '../helpers/scratch.js';
import { openRawSession } from '../helpers/secure-session.js';
import { centrePixel, isMagenta, makeSolidPng, makeTexturedScene } from '../helpers/textured-scene.js';

// The agent forgets a job's `job.workspace` when the connection that sent it closes, and the
// controller sends it again on its next connection before the job's next task there. Here the
// controller's connection is cut mid-job (another peer with the key takes the agent's one
// session, as a restarted controller would); the controller reconnects and the job's remaining
// tasks render with their texture, none failing for a missing file list.

test('a job whose agent connection is replaced mid-job renders its remaining tasks with their files after the reconnect', { timeout: 180_000 }, async () => {
  const { dir, cleanup } = await makeScratchDir('farmhand-workspace-reconnect');
  const agentLog: string[] = [];
  const farm = await startLoopbackFarm({ agents: [{ log: (line) => agentLog.push(line) }], persist: false });
  try {
    const project = join(dir, 'project');
    await makeSolidPng(join(project, 'textures/wood.png'), '0x20c040');
    const scenePath = await makeTexturedScene(join(project, 'shot.blend'), '//textures/wood.png', join(dir, 'home'));
    const texture = await describeFile(join(project, 'textures/wood.png'), 'wood.png');
    const job = compileBlenderJob({ scenePath, frames: readFrameList('1-4'), chunkSize: 1, outputDir: join(dir, 'out') }, {
      scene: await describeFile(scenePath, basename(scenePath)), scenePath, sceneInfo: null, agentCount: 1,
      manifest: { entries: [{ written: '//textures/wood.png', resolved: join(project, 'textures/wood.png'), kind: 'image', from: scenePath, size: texture.size, sha256: texture.sha256, missing: false }], totalBytes: texture.size, missingCount: 0, listedBy: 'reader' },
    });
    assert.ok(job.tasks.every((t) => t.spec.type === 'blender' && t.spec.workspace === true), 'the tasks name the job\'s workspace');
    await farm.waitFor(() => farm.controller.agents().some((a) => a.online && a.taskTypes.includes('blender')), 'the agent online with Blender', 30_000);
    farm.controller.submit(job);
    const record = () => farm.controller.scheduler.job(job.id)!.record;
    await farm.waitFor(() => record().tasks.some((t) => t.state === 'succeeded'), 'a first frame', 60_000);
    assert.ok(record().tasks.some((t) => t.state !== 'succeeded'), 'frames are left to render after the cut');

    // Another peer with the key takes the agent's session; the controller's connection closes and it reconnects.
    const intruder = await openRawSession(farm.agents[0]!.url, farm.farmKey, 'another-controller');
    await intruder.closed; // replaced in turn by the reconnecting controller
    const connections = () => agentLog.filter((l) => l.startsWith('controller connected')).length;
    assert.ok(connections() >= 3, `the controller, the other peer, the controller again: ${agentLog.filter((l) => l.startsWith('controller')).join(' | ')}`);

    const summary = await farm.controller.waitForJob(job.id);
    assert.equal(summary.state, 'succeeded', summary.failure ?? '');
    const lastConnect = agentLog.map((l) => l.startsWith('controller connected')).lastIndexOf(true);
    assert.ok(agentLog.slice(lastConnect).some((l) => / started: blender/.test(l)), `a task started on the new connection:\n${agentLog.join('\n')}`);
    assert.deepEqual(agentLog.filter((l) => l.includes('file list')), [], 'no task went without its job\'s file list');
    const frames = (await readdir(job.outputDir)).filter((f) => f.endsWith('.png')).sort();
    assert.deepEqual(frames, ['shot_0001.png', 'shot_0002.png', 'shot_0003.png', 'shot_0004.png']);
    for (const frame of frames) assert.equal(isMagenta(await centrePixel(join(job.outputDir, frame))), false, `${frame} found its texture`);
    // job.ended came on the new connection: the workspace is gone without the 10-minute wait.
    const workspaces = join(farm.dir, 'agent-0', 'workspaces');
    await farm.waitFor(() => existsSync(workspaces) && readdirSync(workspaces).length === 0, 'the ended job\'s workspace to be removed', 5_000);
  } finally {
    await farm.close();
    await cleanup();
  }
});
