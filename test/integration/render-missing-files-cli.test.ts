import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { mkdir, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, before, describe, test } from 'node:test';
import { findBlender } from '../../electron/controller/jobs/blender/find-blender.js';
import { makeScratchDir } from '../helpers/scratch.js';

// `farmhand render` (the built CLI) on a scene that names a file missing on this machine: it
// refuses at submit with one sentence naming the file (exit 2), and --allow-missing renders
// anyway, saying so before the render starts.

const root = fileURLToPath(new URL('../..', import.meta.url));
const FARMHAND = join(root, 'bin/farmhand.js');

/** Runs inside Blender: `-- <out.blend>`. One tiny Workbench frame; the missing image is kept by a fake user only, so the frame does not use it. */
const SCENE = `
import bpy, sys
out = sys.argv[sys.argv.index("--") + 1]
bpy.ops.wm.read_factory_settings(use_empty=True)
s = bpy.context.scene
s.render.engine = "BLENDER_WORKBENCH"
s.render.resolution_x, s.render.resolution_y, s.render.resolution_percentage = 32, 24, 100
s.frame_start, s.frame_end = 1, 1
s.render.image_settings.file_format = "PNG"
cam = bpy.data.objects.new("Cam", bpy.data.cameras.new("c"))
s.collection.objects.link(cam)
s.camera = cam
img = bpy.data.images.new("gone", 4, 4)
img.source = "FILE"
img.filepath = "//textures/gone.png"
img.use_fake_user = True
bpy.ops.wm.save_as_mainfile(filepath=out, relative_remap=False)
`;

function farmhand(args: string[], env: Record<string, string>, timeoutMs = 120_000): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const child = spawn(process.execPath, [FARMHAND, ...args], { cwd: root, env: { ...process.env, FARMHAND_MDNS_INTERFACE: '127.0.0.1', ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => (stdout += d));
  child.stderr.on('data', (d: Buffer) => (stderr += d));
  const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
  return new Promise((resolve) => child.once('exit', (code) => {
    clearTimeout(timer);
    resolve({ code, stdout, stderr });
  }));
}

describe('farmhand render with files missing (CLI)', { timeout: 240_000 }, () => {
  let scratch: { dir: string; cleanup: () => Promise<void> };
  let scene: string;
  let env: Record<string, string>;

  before(async () => {
    scratch = await makeScratchDir('fh-missing-cli');
    scene = join(scratch.dir, 'shot', 'shot.blend');
    env = { FARMHAND_HOME: join(scratch.dir, 'home'), HOME: join(scratch.dir, 'home'), XDG_CACHE_HOME: join(scratch.dir, 'home', '.cache') };
    await mkdir(join(scratch.dir, 'shot'));
    const blender = findBlender();
    assert.ok(blender, 'Blender is not installed: apt-get install -y blender');
    const run = spawnSync(blender, ['-b', '-noaudio', '--factory-startup', '--python-exit-code', '2', '--python-expr', SCENE, '--', scene], { env: { ...process.env, ...env }, encoding: 'utf8', timeout: 60_000 });
    assert.equal(run.status, 0, run.stdout + run.stderr);
  });
  after(() => scratch.cleanup());

  test('a missing texture refuses the submit in one sentence naming it, exit 2, before any agent is needed', async () => {
    const r = await farmhand(['render', scene, '--no-discover', '--no-local-agent', '--out', join(scratch.dir, 'refused')], env);
    assert.equal(r.code, 2, r.stderr);
    assert.equal(r.stderr.trim(), 'farmhand: The scene "shot.blend" needs 1 file(s) that are missing: //textures/gone.png; put them back, or pass --allow-missing to render anyway.');
    assert.deepEqual(await readdir(join(scratch.dir, 'refused')).catch(() => []), []);
  });

  test('--allow-missing renders anyway and warns before the render starts', async () => {
    const out = join(scratch.dir, 'allowed');
    const r = await farmhand(['render', scene, '--no-discover', '--allow-missing', '--out', out], env);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stderr, /^Warning: Submitted with 1 missing file\(s\): \/\/textures\/gone\.png; frames that use them will render wrong\.$/m);
    assert.deepEqual(await readdir(out), ['shot_0001.png']);
  });
});
