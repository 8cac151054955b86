import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, before, describe, test } from 'node:test';
import { compileBlenderJob } from '../../electron/controller/jobs/blender/blender-job.js';
import { findBlender } from '../../electron/controller/jobs/blender/find-blender.js';
import { readFrameList } from '../../electron/controller/jobs/frame-list.js';
import type { JobRecord } from '../../electron/controller/model/job-model.js';
import { describeFile, generateFarmKey, type BlenderTaskSpec } from '../../node-agent/protocol/index.js';
import { startLoopbackFarm, type LoopbackFarm } from '../helpers/loopback-farm.js';
import { comparePixels } from '../helpers/pixel-diff.js';
import { DRIVER_EXPRESSION, DRIVER_TEXT, makePythonDriverScene } from '../helpers/python-driver-scene.js';
import { renderReference, type ReferenceRender } from '../helpers/reference-render.js';
import { renamedBlender, renamedBlenderRuns } from '../helpers/renamed-blender.js';
import { Proc } from '../helpers/proc.js';
import { renderDifferences } from '../helpers/same-render.js';
import { makeScratchDir } from '../helpers/scratch.js';

/**
 * The agent's renderers through a real agent and controller on loopback, with the real
 * Blender 3.4.1: an agent given two Blenders (the real one, and the real one under another
 * path reporting 4.1.0) advertises both and renders a task that needs 4.1 with the 4.1 one;
 * a rig whose driver needs Python renders, on an --allow-scripts agent and with trust,
 * pixel-equal to `blender -b -y`, and without trust renders as Blender does with scripts off
 * and says so in the task's warnings.
 */

let scratch: { dir: string; cleanup: () => Promise<void> };
let home: string;
let real: string;
let scene: string;
let withScripts: ReferenceRender;
let withoutScripts: ReferenceRender;

before(async () => {
  real = findBlender()!;
  if (!real) throw new Error('Blender is not installed: apt-get install -y blender');
  scratch = await makeScratchDir('farmhand-agent-blenders');
  home = join(scratch.dir, 'home');
  scene = await makePythonDriverScene(join(scratch.dir, 'rig/shot.blend'), home);
  withScripts = await renderReference(scene, join(scratch.dir, 'ref-y'), [1], { scripts: true });
  withoutScripts = await renderReference(scene, join(scratch.dir, 'ref-off'), [1]);
});

after(async () => {
  await scratch?.cleanup();
});

/** A one-task job of the rig scene; `spec` is laid over each Blender task (what the controller's compile names). */
async function riggedJob(farm: LoopbackFarm, out: string, spec: Partial<BlenderTaskSpec>): Promise<JobRecord> {
  const job = compileBlenderJob(
    { scenePath: scene, frames: readFrameList('1'), chunkSize: 1, outputDir: out, maxAttempts: 1 },
    { scene: await describeFile(scene, 'shot.blend'), scenePath: scene, sceneInfo: null, agentCount: farm.agents.length },
  );
  for (const task of job.tasks) if (task.spec.type === 'blender') Object.assign(task.spec, spec);
  return job;
}

/** How often the renamed Blender at `path` rendered the scene (its other runs, e.g. the agent's device probe, open no .blend). */
async function rendersBy(path: string): Promise<number> {
  return (await renamedBlenderRuns(path)).filter((line) => line.includes('shot.blend')).length;
}

async function render(farm: LoopbackFarm, job: JobRecord): Promise<void> {
  farm.controller.submit(job);
  const summary = await farm.controller.waitForJob(job.id);
  assert.equal(summary.state, 'succeeded', summary.failure ?? job.tasks[0]!.error ?? '');
}

describe('an agent with two Blenders', () => {
  test('advertises both, renders a 4.1 task with its 4.1 Blender and a task asking nothing with its first', async () => {
    const renamed = await renamedBlender(join(scratch.dir, 'blenders'), '4.1.0');
    const agentLog: string[] = [];
    const farm = await startLoopbackFarm({ agents: [{ blenderPaths: [real, renamed], log: (line) => agentLog.push(line) }] });
    try {
      await farm.waitFor(() => farm.controller.agents().some((a) => a.online && a.taskTypes.includes('blender')), 'the agent online with Blender');
      const realVersion = farm.agents[0]!.capabilities.blender!.version;
      assert.match(realVersion, /^3\.4\./);
      assert.deepEqual(farm.agents[0]!.capabilities.blenders, [
        { path: real, version: realVersion, devices: [] },
        { path: renamed, version: '4.1.0', devices: [] },
      ]);
      assert.deepEqual(farm.controller.agents()[0]!.blenders?.map((b) => b.version), [realVersion, '4.1.0']);

      const newer = await riggedJob(farm, join(scratch.dir, 'out-41'), { blender: { atLeast: '4.1' } });
      await render(farm, newer);
      assert.equal(await rendersBy(renamed), 1, 'the 4.1 Blender rendered the scene once');
      assert.ok(agentLog.some((l) => l.endsWith(`renders with Blender 4.1.0 at ${renamed}`)), agentLog.join('\n'));

      const plain = await riggedJob(farm, join(scratch.dir, 'out-default'), {});
      await render(farm, plain);
      assert.equal(await rendersBy(renamed), 1, 'the default (first) Blender rendered the second job, not the 4.1 one');
      assert.ok(agentLog.some((l) => l.endsWith(`renders with Blender ${realVersion} at ${real}`)), agentLog.join('\n'));
    } finally {
      await farm.close();
    }
  });
});

describe("a rig whose driver needs Python, on an agent started with --allow-scripts", () => {
  test('with trust it renders pixel-equal to blender -b -y; without, as with scripts off, and the task says what was skipped', async () => {
    assert.notEqual((await comparePixels(withScripts.frames[0]!, withoutScripts.frames[0]!)).maxChannelDiff, 0, 'the driver changes the frame');
    const farm = await startLoopbackFarm({ agents: [{ blenderPath: real, allowScripts: true }] });
    try {
      await farm.waitFor(() => farm.controller.agents().some((a) => a.online && a.allowScripts), 'the agent online, allowing scripts');

      const trusted = await riggedJob(farm, join(scratch.dir, 'out-trusted'), { trustScripts: true });
      await render(farm, trusted);
      assert.deepEqual(await renderDifferences(join(scratch.dir, 'out-trusted'), withScripts, { prefix: 'shot', frames: [1] }), []);
      assert.deepEqual(trusted.tasks[0]!.warnings ?? [], []);

      const untrusted = await riggedJob(farm, join(scratch.dir, 'out-untrusted'), {});
      await render(farm, untrusted);
      assert.deepEqual(await renderDifferences(join(scratch.dir, 'out-untrusted'), withoutScripts, { prefix: 'shot', frames: [1] }), []);
      assert.deepEqual(untrusted.tasks[0]!.warnings, [
        `The text block "${DRIVER_TEXT}" registered to run when the scene loads was skipped because auto-run scripts are off on the farm, so frames may be wrong; submit with --trust-scripts to run it on agents started with --allow-scripts.`,
        `A Python driver on NodeTree "Shader Nodetree" default_value[-1] was not evaluated, so frames may be wrong: expression failed: ${DRIVER_EXPRESSION} (auto-run scripts are off on the farm, and 'fh_gain' needs them).`,
      ]);
    } finally {
      await farm.close();
    }
  });
});

describe('farmhand-agent (the CLI, from source)', () => {
  test('repeated --blender and --blender-dir: every Blender that runs is listed, the first as the default, a broken one named, the agent up', async () => {
    const root = fileURLToPath(new URL('../..', import.meta.url));
    const installs = join(scratch.dir, 'cli-installs');
    const v41 = await renamedBlender(installs, '4.1.0');
    const broken = join(scratch.dir, 'cli-broken-blender');
    await writeFile(broken, 'not a program'); // exists, not executable
    const agent = new Proc(spawn(process.execPath, ['--import', 'tsx', join(root, 'node-agent/cli.ts'), '--host', '127.0.0.1', '--port', '0', '--no-mdns',
      '--data-dir', join(scratch.dir, 'cli-agent'), '--blender', real, '--blender', broken, '--blender-dir', installs, '--allow-scripts'], {
      cwd: root, env: { ...process.env, FARMHAND_FARM_KEY: generateFarmKey(), HOME: home, XDG_CACHE_HOME: join(home, '.cache') }, stdio: ['ignore', 'pipe', 'pipe'],
    }));
    try {
      await agent.waitFor(/listening on 127\.0\.0\.1:\d+/, 60_000);
      await agent.waitFor(/Blender 4\.1\.0 at /, 5_000);
      const lines = agent.lines.map((l) => l.text);
      const listed = lines.filter((l) => /^\[agent\] Blender \S+ at /.test(l));
      assert.equal(listed.length, 2, agent.text());
      assert.match(listed[0]!, /^\[agent\] Blender 3\.4\.\d+ at (\S+) \(the default\)$/);
      assert.equal(listed[0]!.split(' at ')[1], `${real} (the default)`);
      assert.equal(listed[1], `[agent] Blender 4.1.0 at ${v41}`);
      assert.ok(lines.includes(`[agent] warning: Blender at ${broken} is not an executable program; it is left out.`), agent.text());
      assert.ok(lines.includes("[agent] --allow-scripts: jobs submitted with --trust-scripts run their scene's Python here"), agent.text());
    } finally {
      agent.child.kill('SIGTERM');
      await agent.exited;
    }
  });
});
