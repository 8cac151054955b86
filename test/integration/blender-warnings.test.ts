import assert from 'node:assert/strict';
import { mkdir, readdir, readFile, truncate, writeFile } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, before, describe, test } from 'node:test';
import { createFarmService } from '../../electron/controller/api/farm-service.js';
import { AgentSettings } from '../../electron/controller/agents/agent-settings.js';
import { compileBlenderJob } from '../../electron/controller/jobs/blender/blender-job.js';
import { findBlender } from '../../electron/controller/jobs/blender/find-blender.js';
import { readFrameList } from '../../electron/controller/jobs/frame-list.js';
import { runBlenderTask } from '../../node-agent/runners/blender-runner.js';
import { TaskFailedError } from '../../node-agent/runners/task-errors.js';
import { describeFile } from '../../node-agent/protocol/index.js';
import { startLoopbackFarm } from '../helpers/loopback-farm.js';
import { makeScratchDir } from '../helpers/scratch.js';
import { runCommand } from '../helpers/run-command.js';
import { editScene, makeModifierWarningScene, MODIFIER_WARNING } from '../helpers/warning-scene.js';
import { makeSolidPng, makeTexturedScene } from '../helpers/textured-scene.js';

/**
 * Nothing wrong is silent, with the real Blender: a texture missing on the agent fails the
 * attempt with a sentence naming it (before any frame renders), `allowMissing` renders and
 * carries the warning, a modifier error is a warning the controller stores and lists, and a
 * frame Blender reports as saved but that is empty fails the attempt.
 */

const MISSING_SENTENCE = 'The scene "shot.blend" needs textures/wood.png, which is missing on this agent; put the file where the scene expects it and resubmit, or submit with --allow-missing to render without it.';

let scratch: { dir: string; cleanup: () => Promise<void> };
let home: string;
let missingScene: string;
let presentScene: string;
let meshCacheScene: string;

before(async () => {
  if (!findBlender()) throw new Error('Blender is not installed: apt-get install -y blender');
  scratch = await makeScratchDir('farmhand-blender-warnings');
  home = join(scratch.dir, 'home');
  missingScene = await makeTexturedScene(join(scratch.dir, 'missing/shot.blend'), '//textures/wood.png', home);
  presentScene = await makeTexturedScene(join(scratch.dir, 'present/shot.blend'), '//textures/wood.png', home);
  await makeSolidPng(join(scratch.dir, 'present/textures/wood.png'), '0x20c040');
  meshCacheScene = await makeModifierWarningScene(scratch.dir, home);
});

after(async () => {
  await scratch?.cleanup();
});

function render(scenePath: string, workDir: string, over: { allowMissing?: boolean; onOutput?: (path: string) => void } = {}) {
  return runBlenderTask({
    blenderPath: findBlender()!,
    scenePath,
    workDir,
    spec: { frames: [1], outputName: 'shot', format: 'PNG', ...(over.allowMissing ? { allowMissing: true } : {}) },
    scratchHome: home,
    signal: new AbortController().signal,
    onProgress: () => undefined,
    onLog: () => undefined,
    ...(over.onOutput ? { onOutput: over.onOutput } : {}),
  });
}

describe('the Blender runner', () => {
  test('a missing texture fails the attempt, naming the file and the fix, before any frame is rendered', async () => {
    const workDir = join(scratch.dir, 'out-missing');
    const error = await render(missingScene, workDir).then(() => null, (e: unknown) => e);
    assert.ok(error instanceof TaskFailedError, String(error));
    assert.equal(error.message, MISSING_SENTENCE);
    assert.equal(error.unrecoverable, false, 'another agent may have the file');
    assert.deepEqual(await readdir(workDir), [], 'Blender was stopped before it rendered');
  });

  test('with allowMissing the frame renders and the missing file is a warning', async () => {
    const result = await render(missingScene, join(scratch.dir, 'out-allowed'), { allowMissing: true });
    assert.equal(result.outputs.length, 1);
    assert.deepEqual(result.warnings, ['The file textures/wood.png is missing.']);
  });

  test('a scene with every file present has no warnings', async () => {
    const result = await render(presentScene, join(scratch.dir, 'out-present'));
    assert.deepEqual(result.warnings, []);
  });

  test('an Ocean modifier that is not baked and a text block whose file is gone render without a warning (a render reads neither)', async () => {
    const ocean = await editScene(presentScene, join(scratch.dir, 'ocean/shot.blend'), `m = bpy.data.objects["Plane"].modifiers.new("Sea", "OCEAN")
m.resolution = 4
m.filepath = "//cache_ocean_never_baked"
t = bpy.data.texts.new("notes.py")
t.filepath = "//scripts/notes.py"`, home);
    await makeSolidPng(join(scratch.dir, 'ocean/textures/wood.png'), '0x20c040');
    const result = await render(ocean, join(scratch.dir, 'out-ocean'));
    assert.equal(result.outputs.length, 1);
    assert.deepEqual(result.warnings, []);
  });

  test('a scene saved by a newer Blender renders with a warning naming both versions', async () => {
    // The file's sub-version (FileGlobal.subversion: the GLOB block's data, after its 24-byte
    // header and the 4-character subvstr) set to 99: Blender 3.4.1 reads it as version 3.4.99.
    const blend = Buffer.from(await readFile(presentScene));
    const glob = blend.indexOf('GLOB', 12, 'latin1');
    assert.ok(glob > 0, 'the scene has a GLOB block');
    blend.writeInt16LE(99, glob + 24 + 4);
    await mkdir(join(scratch.dir, 'newer/textures'), { recursive: true });
    await writeFile(join(scratch.dir, 'newer/shot.blend'), blend);
    await makeSolidPng(join(scratch.dir, 'newer/textures/wood.png'), '0x20c040');
    const result = await render(join(scratch.dir, 'newer/shot.blend'), join(scratch.dir, 'out-newer'));
    assert.equal(result.outputs.length, 1);
    assert.equal(result.warnings.length, 1, result.warnings.join('\n'));
    assert.match(result.warnings[0]!, /^The scene was saved by a newer Blender \(file version 3\.4\.99\) than this agent's \(3\.4\.\d+\); data may be lost, so render with the same Blender version\.$/);
  });

  test('a frame Blender reports as saved but that is empty fails the attempt with that reason', async () => {
    const error = await render(presentScene, join(scratch.dir, 'out-emptied'), { onOutput: (path) => void truncate(path, 0) }).then(() => null, (e: unknown) => e);
    assert.ok(error instanceof TaskFailedError, String(error));
    assert.equal(error.message, "Blender reported shot_0001.png as saved, but the file is empty (0 bytes); check the agent's free disk space, the frame is rendered again.");
  });
});

describe('through a loopback farm', () => {
  test('a modifier error is a warning on the task, its job and tasks.list; a missing texture fails with the sentence', async () => {
    const farm = await startLoopbackFarm({ agents: [{ blenderPath: findBlender()! }] });
    try {
      await farm.waitFor(() => farm.controller.agents().some((a) => a.online), 'the agent online');
      const service = createFarmService(farm.controller, { outputRoot: join(farm.dir, 'out'), home: farm.dir, agentSettings: await AgentSettings.open(null) });
      const compile = async (scene: string, allowMissing: boolean) => compileBlenderJob(
        { scenePath: scene, frames: readFrameList('1'), chunkSize: 1, outputDir: join(farm.dir, 'out', basename(join(scene, '..'))), maxAttempts: 1 },
        { scene: await describeFile(scene, basename(scene)), scenePath: scene, sceneInfo: null, agentCount: 1, allowMissing },
      );

      const warned = await compile(meshCacheScene, false);
      farm.controller.submit(warned);
      const summary = await farm.controller.waitForJob(warned.id);
      assert.equal(summary.state, 'succeeded', summary.failure ?? warned.tasks[0]!.error ?? '');
      const tasks = await service.api['tasks.list']({ jobId: warned.id, offset: 0, limit: 10 });
      assert.deepEqual(tasks.items[0]!.warnings, [MODIFIER_WARNING]);
      const jobs = await service.api['jobs.list']({ offset: 0, limit: 10 });
      const listed = jobs.items.find((j) => j.id === warned.id)!;
      assert.equal(listed.warningCount, 1);
      assert.equal(listed.firstWarning, MODIFIER_WARNING);

      const missing = await compile(missingScene, false);
      farm.controller.submit(missing);
      const failed = await farm.controller.waitForJob(missing.id);
      assert.equal(failed.state, 'failed');
      assert.equal(missing.tasks[0]!.error, MISSING_SENTENCE);

      const allowed = await compile(missingScene, true);
      farm.controller.submit(allowed);
      const rendered = await farm.controller.waitForJob(allowed.id);
      assert.equal(rendered.state, 'succeeded', rendered.failure ?? '');
      assert.deepEqual(allowed.tasks[0]!.warnings, ['The file textures/wood.png is missing.']);
    } finally {
      await farm.close();
    }
  });
});

describe('farmhand render (the built CLI)', () => {
  test('a render with a modifier warning exits 0, prints the warning line and carries it in --json', async () => {
    const root = fileURLToPath(new URL('../..', import.meta.url));
    const r = await runCommand([process.execPath, join(root, 'bin/farmhand.js')], ['render', meshCacheScene, '--no-discover', '--frames', '1', '--out', join(scratch.dir, 'cli-out'), '--json'], {
      cwd: root, env: { FARMHAND_HOME: join(scratch.dir, 'cli-home') }, timeoutMs: 120_000,
    });
    assert.equal(r.code, 0, r.stderr);
    assert.ok(r.stderr.includes(`1 frame(s) rendered with warnings: ${MODIFIER_WARNING}`), r.stderr);
    const json = JSON.parse(r.stdout.trim().split('\n').pop()!) as { warnings: string[]; job: { warningCount?: number } };
    assert.deepEqual(json.warnings, [MODIFIER_WARNING]);
    assert.equal(json.job.warningCount, 1);
  });
});
