import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { findBlender } from '../../electron/controller/jobs/blender/find-blender.js';
import { runBlenderTask } from '../../node-agent/runners/blender-runner.js';
import { runBlenderScript } from '../helpers/blender-script.js';

// A tile (one region of a tiled still) rendered by the real runner with the real Blender: the
// agent's step warns where the merge can differ from a whole render (adaptive sampling, a
// compositor node that reads neighbours; a muted one is not named), and a scene whose size is
// not the one the tiles were planned for fails the tile with both sizes.

let dir: string;
let scene: string;

const SCENE = `
import bpy, sys, math
out = sys.argv[sys.argv.index("--") + 1]
bpy.ops.wm.read_factory_settings(use_empty=True)
s = bpy.context.scene
s.render.engine = "CYCLES"
s.cycles.samples = 2
s.cycles.use_denoising = False
s.cycles.use_adaptive_sampling = True
s.render.resolution_x, s.render.resolution_y, s.render.resolution_percentage = 40, 30, 100
bpy.ops.object.camera_add(location=(0, -6, 1.5), rotation=(math.radians(78), 0, 0))
s.camera = bpy.context.active_object
bpy.ops.mesh.primitive_cube_add()
s.use_nodes = True
t = s.node_tree
blur = t.nodes.new("CompositorNodeBlur")
blur.name = "Soft blur"
glare = t.nodes.new("CompositorNodeGlare")
glare.mute = True
t.nodes.new("CompositorNodeInvert")
bpy.ops.wm.save_as_mainfile(filepath=out)
`;

before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'fh-tile-warnings-'));
  scene = join(dir, 'warned.blend');
  await runBlenderScript(['--python-expr', SCENE, '--', scene], { home: join(dir, 'home'), what: 'tile warning scene' });
});

after(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
});

function renderTile(frameWidth: number, name: string) {
  return runBlenderTask({
    blenderPath: findBlender()!,
    scenePath: scene,
    workDir: join(dir, name),
    scratchHome: join(dir, 'home'),
    spec: { frames: [1], outputName: name, format: 'PNG', region: { x: 0, y: 0, width: 20, height: 15, frameWidth, frameHeight: 30 } },
    signal: new AbortController().signal,
    onProgress: () => undefined,
    onLog: () => undefined,
  });
}

test('a tile warns about adaptive sampling and the compositor nodes that read neighbours', { timeout: 120_000 }, async () => {
  const result = await renderTile(40, 'tile');
  assert.deepEqual(result.warnings, [
    'Tiles: the scene uses Cycles adaptive sampling, which reads neighbouring pixels; each region is rendered with a margin and cut, so the merged frame can differ slightly from a whole render (turn it off for an exact merge).',
    'Tiles: the compositor\'s Soft blur reads neighbouring pixels and each region is composited alone, so seams can show; render this still whole or mute it.',
  ]);
  assert.equal(result.outputs.length, 1);
});

test('a tile planned for another frame size fails with both sizes', { timeout: 120_000 }, async () => {
  await assert.rejects(renderTile(41, 'wrong'), (e: Error) => /the scene renders 40x30 here but its tiles were planned for 41x30; submit the job again/.test(e.message));
});
