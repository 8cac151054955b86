import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { AgentSettings } from '../../electron/controller/agents/agent-settings.js';
import { createFarmService, type FarmService } from '../../electron/controller/api/farm-service.js';
import { findBlender } from '../../electron/controller/jobs/blender/find-blender.js';
import { startLoopbackFarm, type LoopbackFarm } from '../helpers/loopback-farm.js';
import { makeScratchDir } from '../helpers/scratch.js';

// jobs.submit through the API checks the scene's dependency manifest: a file missing on the
// controller's disk is a bad-input sentence naming it; pathMap finds a Windows path here;
// allowMissing queues the job with a warning on its summary.

/** Runs inside Blender: `-- <out.blend>`. Two images kept by fake users: one relative and missing, one Windows-style. */
const SCENE = `
import bpy, sys
out = sys.argv[sys.argv.index("--") + 1]
bpy.ops.wm.read_factory_settings(use_empty=True)
s = bpy.context.scene
s.render.resolution_x, s.render.resolution_y = 32, 24
s.frame_start, s.frame_end = 1, 2
for name, path in (("gone", "//textures/gone.png"), ("win", "T:\\\\tex\\\\wood.png")):
    img = bpy.data.images.new(name, 4, 4)
    img.source = "FILE"
    img.filepath = path
    img.use_fake_user = True
bpy.ops.wm.save_as_mainfile(filepath=out, relative_remap=False)
`;

describe('jobs.submit and the dependency manifest (API)', { timeout: 120_000 }, () => {
  let scratch: { dir: string; cleanup: () => Promise<void> };
  let farm: LoopbackFarm;
  let service: FarmService;
  let scene: string;
  const at = (p: string) => join(scratch.dir, p);

  before(async () => {
    scratch = await makeScratchDir('fh-submit-missing');
    scene = at('shot/shot.blend');
    await mkdir(at('shot'), { recursive: true });
    await mkdir(at('mnt/tex'), { recursive: true });
    await writeFile(at('mnt/tex/wood.png'), 'wood');
    const blender = findBlender();
    assert.ok(blender, 'Blender is not installed: apt-get install -y blender');
    const home = at('home');
    const run = spawnSync(blender, ['-b', '-noaudio', '--factory-startup', '--python-exit-code', '2', '--python-expr', SCENE, '--', scene], {
      env: { ...process.env, HOME: home, XDG_CACHE_HOME: join(home, '.cache') }, encoding: 'utf8', timeout: 60_000,
    });
    assert.equal(run.status, 0, run.stdout + run.stderr);
    farm = await startLoopbackFarm({ agents: [] });
    service = createFarmService(farm.controller, { outputRoot: at('out'), home, agentSettings: await AgentSettings.open(null) });
  });
  after(async () => {
    await farm?.close();
    await scratch?.cleanup();
  });

  test('missing files are a bad-input sentence naming them; pathMap finds the Windows path', async () => {
    await assert.rejects(service.api['jobs.submit']({ type: 'render', scenePath: scene, video: false, priority: 50, tags: [] }), (e: Error & { code?: string }) => {
      assert.equal(e.code, 'bad-input');
      assert.equal(e.message, 'The scene "shot.blend" needs 2 file(s) that are missing: //textures/gone.png, T:\\tex\\wood.png; put them back, map Windows paths with --map-path FROM=TO, or pass --allow-missing to render anyway.');
      return true;
    });
    await assert.rejects(service.api['jobs.submit']({ type: 'render', scenePath: scene, video: false, priority: 50, tags: [], pathMap: [{ from: 't:\\TEX', to: at('mnt/tex') }] }), (e: Error & { code?: string }) => {
      assert.equal(e.message, 'The scene "shot.blend" needs 1 file(s) that are missing: //textures/gone.png; put them back, or pass --allow-missing to render anyway.');
      return true;
    });
  });

  test('allowMissing queues the job with the warning on its summary, and files.probe shows the same manifest', async () => {
    const job = await service.api['jobs.submit']({ type: 'render', scenePath: scene, video: false, priority: 50, tags: [], allowMissing: true, pathMap: [{ from: 'T:\\tex', to: at('mnt/tex') }] });
    assert.deepEqual(job.warnings, ['Submitted with 1 missing file(s): //textures/gone.png; frames that use them will render wrong.']);
    assert.deepEqual((await service.api['jobs.get']({ jobId: job.id })).warnings, job.warnings);
    const probe = await service.api['files.probe']({ path: scene });
    assert.ok(probe.kind === 'scene' && probe.dependencies);
    assert.deepEqual(probe.dependencies.entries.map((e) => [e.written, e.missing]), [['//textures/gone.png', true], ['T:\\tex\\wood.png', true]]);
  });
});
