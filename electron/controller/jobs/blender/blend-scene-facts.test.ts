import assert from 'node:assert/strict';
import { readFile, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { runBlenderScript } from '../../../../test/helpers/blender-script.js';
import { toBlendFormat1, withHeaderVersion } from '../../../../test/helpers/blend-format-converter.js';
import { makeScratchDir } from '../../../../test/helpers/scratch.js';
import type { SceneInfo } from '../../api/views.js';
import { DRIVER_VARIABLES, PYTHON_EXPRESSIONS, SIMPLE_EXPRESSIONS } from '../../../../test/helpers/driver-expression-cases.js';
import { BlendReadError, parseBlendFile } from './blend-file.js';
import { FILE_VERSION_PY } from './blend-file-version.js';
import { isSimpleDriverExpression } from './driver-simple-expression.js';
import { findBlender } from './find-blender.js';
import { readBlendScene } from './read-blend-scene.js';
import { probeBlendScene } from './scene-probe.js';

// The scene facts issue 17 adds to SceneInfo (the file's version, the Cycles device, the Python
// it runs only when trusted, its unbaked simulations), read by the controller's own reader from
// files Blender 3.4.1 writes here, and compared with what Blender itself reports for the same
// file (the probe, bpy: `driver.is_simple_expression`, `point_cache.is_baked`, …).

const blender = findBlender();

/** Runs inside Blender: `-- <dir>`; writes the scenes below. */
const SCENES = `
import bpy, sys
out = sys.argv[sys.argv.index("--") + 1]
def fresh():
    bpy.ops.wm.read_factory_settings(use_empty=True)
    s = bpy.context.scene
    s.frame_start, s.frame_end = 1, 3
    s.render.resolution_x, s.render.resolution_y = 64, 48
    return s
def mesh_object(name, s, collection=None):
    me = bpy.data.meshes.new(name)
    me.from_pydata([(0, 0, 0), (1, 0, 0), (0, 1, 0), (1, 1, 0)], [], [(0, 1, 3, 2)])
    ob = bpy.data.objects.new(name, me)
    (collection or s.collection).objects.link(ob)
    return ob
def scripted(target, path, index, expression, var=None):
    fc = target.driver_add(path, index)
    d = fc.driver
    d.type = "SCRIPTED"
    if var:
        v = d.variables.new()
        v.name = var
        v.targets[0].id = bpy.data.objects["Rig"]
        v.targets[0].data_path = "location.x"
    d.expression = expression

# Python: registered text blocks, drivers; a Cycles scene set to GPU.
s = fresh()
s.render.engine = "CYCLES"
s.cycles.device = "GPU"
t = bpy.data.texts.new("autorun.py")
t.write("print('autorun')")
t.use_module = True
bpy.data.texts.new("Rig UI.PY").use_module = True
bpy.data.texts.new("notes.txt").use_module = True
bpy.data.texts.new("helper.py")
rig = mesh_object("Rig", s)
scripted(rig, "location", 0, "frame * 2")
scripted(rig, "location", 1, "bpy.context.scene.frame_current")
scripted(rig, "location", 2, "var ** 2", "var")
scripted(rig, "rotation_euler", 0, "sin(var) + frame if var < 1 else lerp(0, 1, var)", "var")
scripted(rig, "rotation_euler", 1, "")
scripted(rig, "scale", 0, "max(1, var) # comment", "var")
mat = bpy.data.materials.new("Skin")
mat.use_nodes = True
scripted(mat.node_tree.nodes["Principled BSDF"].inputs["Roughness"], "default_value", -1, "noise.random()")
rig.data.materials.append(mat)
bpy.ops.wm.save_as_mainfile(filepath=out + "/scripts-gpu.blend", compress=False)

# A Cycles scene whose device was never changed; no Python.
s = fresh()
s.render.engine = "CYCLES"
bpy.data.texts.new("helper.py")
scripted(mesh_object("Rig", s), "location", 0, "frame * 2")
bpy.ops.wm.save_as_mainfile(filepath=out + "/cycles-default.blend", compress=False)
bpy.ops.wm.save_as_mainfile(filepath=out + "/cycles-default-zstd.blend", compress=True)

# Simulations, unbaked, and some that are not simulations.
s = fresh()
mesh_object("ClothCube", s).modifiers.new("Cloth", "CLOTH")
mesh_object("SoftCube", s).modifiers.new("Softbody", "SOFT_BODY")
mesh_object("HiddenCloth", s).modifiers.new("Cloth", "CLOTH").show_render = False
bpy.data.objects.new("NotInScene", bpy.data.meshes.new("x")).modifiers.new("Cloth", "CLOTH")
def particles(name, type, physics, dynamics=False):
    ob = mesh_object(name, s)
    ob.modifiers.new("Particles", "PARTICLE_SYSTEM")
    ps = ob.particle_systems[0]
    ps.settings.type = type
    ps.settings.physics_type = physics
    ps.use_hair_dynamics = dynamics
particles("Emitter", "EMITTER", "NEWTON")
particles("Boids", "EMITTER", "BOIDS")
particles("StillEmitter", "EMITTER", "NO")
particles("Hair", "HAIR", "NEWTON", True)
particles("StillHair", "HAIR", "NEWTON", False)
sub = bpy.data.collections.new("Sub")
s.collection.children.link(sub)
domain = mesh_object("Domain", s, sub)
domain.modifiers.new("Fluid", "FLUID").fluid_type = "DOMAIN"
for name, fmt in (("Canvas", "VERTEX"), ("ImageCanvas", "IMAGE")):
    ob = mesh_object(name, s)
    ob.modifiers.new("Paint", "DYNAMIC_PAINT")
    with bpy.context.temp_override(object=ob, active_object=ob):
        bpy.ops.dpaint.type_toggle(type="CANVAS")
    ob.modifiers["Paint"].canvas_settings.canvas_surfaces[0].surface_format = fmt
bpy.ops.rigidbody.world_add()
s.rigidbody_world.collection = bpy.data.collections.new("RigidBodyWorld")
mesh_object("Falling", s, s.rigidbody_world.collection)
bpy.ops.wm.save_as_mainfile(filepath=out + "/simulations.blend", compress=False)

# Many long Python drivers: the lists are bounded.
s = fresh()
rig = mesh_object("Rig", s)
for i in range(60):
    rig["p%02d" % i] = 0.0
    scripted(rig, '["p%02d"]' % i, -1, "bpy.context.scene.frame_current + %d + " % i + " + ".join(["0"] * 110))
bpy.ops.wm.save_as_mainfile(filepath=out + "/many-drivers.blend", compress=False)

# A rig linked from a library brings its Python driver, a linked object and a linked collection
# their simulations; the library's other object and its registered text block are not loaded.
import os
os.makedirs(out + "/lib", exist_ok=True)
s = fresh()
scripted(mesh_object("LibRig", s), "location", 0, "bpy.context.scene.frame_current * 3")
unlinked = mesh_object("Unlinked", s)
scripted(unlinked, "location", 0, "noise.random()")
unlinked.modifiers.new("Cloth", "CLOTH")
bpy.data.texts.new("lib_ui.py").use_module = True
mesh_object("LibCloth", s).modifiers.new("Cloth", "CLOTH")
props = bpy.data.collections.new("Props")
s.collection.children.link(props)
mesh_object("PropSoft", s, props).modifiers.new("Softbody", "SOFT_BODY")
bpy.ops.wm.save_as_mainfile(filepath=out + "/lib/rig-lib.blend", compress=True)
s = fresh()
bpy.ops.wm.save_as_mainfile(filepath=out + "/linked-rig.blend", compress=False)
with bpy.data.libraries.load(out + "/lib/rig-lib.blend", link=True, relative=True) as (src, dst):
    dst.objects = ["LibRig", "LibCloth"]
    dst.collections = ["Props"]
for ob in dst.objects:
    s.collection.objects.link(ob)
s.collection.children.link(dst.collections[0])
assert bpy.data.libraries[0].filepath == "//lib/rig-lib.blend", bpy.data.libraries[0].filepath
bpy.ops.wm.save_as_mainfile(filepath=out + "/linked-rig.blend", compress=False)

# The same cloth, baked (in memory, saved in the .blend): not a simulation a chunk restarts.
s = fresh()
mesh_object("ClothCube", s).modifiers.new("Cloth", "CLOTH")
with bpy.context.temp_override(scene=s):
    bpy.ops.ptcache.bake_all(bake=True)
assert bpy.data.objects["ClothCube"].modifiers["Cloth"].point_cache.is_baked
bpy.ops.wm.save_as_mainfile(filepath=out + "/baked-cloth.blend", compress=False)
`;

describe('SceneInfo facts of issue 17: file version, Cycles device, scripts, unbaked simulations', () => {
  let scratch: { dir: string; cleanup: () => Promise<void> };
  const home = () => join(scratch.dir, 'home');
  const file = (name: string) => join(scratch.dir, name);
  const read = async (name: string) => readBlendScene(file(name), (await stat(file(name))).size);
  const probe = (name: string) => probeBlendScene(file(name), { blenderPath: blender!, scratchHome: home() });
  before(async () => {
    scratch = await makeScratchDir('farmhand-scene-facts');
    assert.ok(blender, 'Blender is not installed: apt-get install -y blender');
    await runBlenderScript(['--python-expr', SCENES, '--', scratch.dir], { home: home(), what: 'scene-facts scenes' });
  });
  after(() => scratch.cleanup());

  for (const name of ['scripts-gpu.blend', 'cycles-default.blend', 'cycles-default-zstd.blend', 'simulations.blend', 'baked-cloth.blend', 'many-drivers.blend', 'linked-rig.blend']) {
    test(`${name}: the reader says what Blender says`, async () => {
      assert.deepEqual(await read(name), await probe(name));
    });
  }

  test('fileVersion: saved by 3.4, and Blender 3.4.1 writes 3.4 as the oldest that opens it (FileGlobal minversion 304)', async () => {
    assert.deepEqual((await read('scripts-gpu.blend')).fileVersion, { saved: '3.4', minimum: '3.4' });
    assert.deepEqual((await read('cycles-default-zstd.blend')).fileVersion, { saved: '3.4', minimum: '3.4' });
  });

  test('fileVersion of a "newer" file (its header patched to say 4.1): the reader and Blender say 4.1', async () => {
    await writeFile(file('newer.blend'), withHeaderVersion(await readFile(file('cycles-default.blend')), 401));
    const info = await read('newer.blend');
    assert.deepEqual(info.fileVersion, { saved: '4.1', minimum: '3.4' });
    assert.deepEqual(info, await probe('newer.blend'));
  });

  test("Blender 5's layout (17-byte header, 64-bit block lengths): the same scene, saved by 5.0", async () => {
    const plain = await readFile(file('simulations.blend'));
    const converted = toBlendFormat1(plain);
    assert.equal(converted.subarray(0, 17).toString('latin1'), 'BLENDER17-01v0500');
    await writeFile(file('format-1.blend'), converted);
    const before = await read('simulations.blend');
    const after = await read('format-1.blend');
    assert.equal(parseBlendFile(converted).format, 1);
    assert.equal(parseBlendFile(converted).blocks.length, parseBlendFile(plain).blocks.length);
    assert.deepEqual(after, { ...before, fileVersion: { saved: '5.0', minimum: '3.4' } });
    // A block that claims more bytes than the file has is damage, as in the old layout.
    const damaged = Buffer.from(converted);
    damaged.writeBigInt64LE(BigInt(converted.length), 17 + 16);
    assert.throws(() => parseBlendFile(damaged), BlendReadError);
    // A header of a layout after 01 is not guessed at.
    assert.throws(() => parseBlendFile(Buffer.concat([Buffer.from('BLENDER17-02v0600'), converted.subarray(17)])), /header is not one this reader knows/);
  });

  test("the fallback's own header reader (Python in Blender) reads the same versions, Blender 5's layout and zstd included", async () => {
    const names = ['cycles-default.blend', 'cycles-default-zstd.blend', 'newer.blend', 'format-1.blend', 'lib/rig-lib.blend'];
    await writeFile(file('newer.blend'), withHeaderVersion(await readFile(file('cycles-default.blend')), 401));
    await writeFile(file('format-1.blend'), toBlendFormat1(await readFile(file('simulations.blend'))));
    const script = `${FILE_VERSION_PY}
import json, sys
paths = json.loads(sys.argv[sys.argv.index("--") + 1])
print("VERSIONS " + json.dumps([farmhand_file_version(p) for p in paths]))
`;
    const output = await runBlenderScript(['--python-expr', script, '--', JSON.stringify(names.map(file))], { home: home(), what: 'file versions' });
    const line = output.split('\n').find((l) => l.startsWith('VERSIONS '));
    assert.ok(line, output.slice(-2000));
    const expected = await Promise.all(names.map(async (n) => (await read(n)).fileVersion));
    assert.deepEqual(JSON.parse(line.slice('VERSIONS '.length)), expected);
    assert.deepEqual(expected.map((v) => v?.saved), ['3.4', '3.4', '4.1', '5.0', '3.4']);
  });

  test('cyclesDevice: GPU as set, CPU (Cycles\' default) when never changed, absent for EEVEE', async () => {
    assert.equal((await read('scripts-gpu.blend')).cyclesDevice, 'GPU');
    assert.equal((await read('cycles-default.blend')).cyclesDevice, 'CPU');
    assert.equal((await read('simulations.blend')).cyclesDevice, undefined);
  });

  test('scripts: registered .py text blocks and drivers the simple evaluator cannot take, sorted', async () => {
    assert.deepEqual((await read('scripts-gpu.blend')).scripts, {
      modules: ['Rig UI.PY', 'autorun.py'],
      drivers: [
        'Rig: location = bpy.context.scene.frame_current',
        'Rig: location = var ** 2',
        'Rig: scale = max(1, var) # comment',
        'Shader Nodetree: nodes["Principled BSDF"].inputs[9].default_value = noise.random()',
      ],
    });
    // `frame * 2` alone, a non-.py text and an unregistered one: nothing.
    assert.equal((await read('cycles-default.blend')).scripts, undefined);
  });

  test("a linked rig's driver and linked objects' simulations, read from the part of the library the shot links", async () => {
    const info = await read('linked-rig.blend');
    assert.deepEqual(info.scripts, { modules: [], drivers: ['LibRig: location = bpy.context.scene.frame_current * 3'] });
    assert.deepEqual(info.simulations, [{ kind: 'cloth', owner: 'LibCloth' }, { kind: 'soft-body', owner: 'PropSoft' }]);
  });

  test('simulations: each unbaked kind with its owner; hidden, still, image-sequence and out-of-scene ones not', async () => {
    assert.deepEqual((await read('simulations.blend')).simulations, [
      { kind: 'cloth', owner: 'ClothCube' },
      { kind: 'dynamic-paint', owner: 'Canvas' },
      { kind: 'fluid', owner: 'Domain' },
      { kind: 'particles', owner: 'Boids' },
      { kind: 'particles', owner: 'Emitter' },
      { kind: 'particles', owner: 'Hair' },
      { kind: 'rigid-body', owner: 'Scene' },
      { kind: 'soft-body', owner: 'SoftCube' },
    ] satisfies SceneInfo['simulations']);
    assert.equal((await read('baked-cloth.blend')).simulations, undefined);
  });

  test("the ported parser gives Blender's own verdict (driver.is_simple_expression) on every case", async () => {
    const expressions = [...SIMPLE_EXPRESSIONS, ...PYTHON_EXPRESSIONS];
    const script = `
import bpy, json, sys
args = json.loads(sys.argv[sys.argv.index("--") + 1])
ob = bpy.data.objects.new("Verdicts", None)
verdicts = []
for i, expression in enumerate(args["expressions"]):
    ob["p%d" % i] = 0.0
    d = ob.driver_add('["p%d"]' % i).driver
    d.type = "SCRIPTED"
    for name in args["variables"]:
        d.variables.new().name = name
    d.expression = expression
    assert d.expression == expression, expression
    verdicts.append(d.is_simple_expression)
print("VERDICTS " + json.dumps(verdicts))
`;
    const output = await runBlenderScript(['--python-expr', script, '--', JSON.stringify({ expressions, variables: DRIVER_VARIABLES })], { home: home(), what: 'driver verdicts' });
    const line = output.split('\n').find((l) => l.startsWith('VERDICTS '));
    assert.ok(line, output.slice(-2000));
    const blenders = JSON.parse(line.slice('VERDICTS '.length)) as boolean[];
    const ours = expressions.map((e) => isSimpleDriverExpression(e, DRIVER_VARIABLES));
    assert.deepEqual(expressions.filter((e, i) => ours[i] !== blenders[i]), []);
    assert.equal(blenders.filter(Boolean).length, SIMPLE_EXPRESSIONS.length);
  });

  test('scripts are bounded: the first 50 drivers in order, each cut to 200 characters', async () => {
    const drivers = (await read('many-drivers.blend')).scripts!.drivers;
    assert.equal(drivers.length, 50);
    assert.ok(drivers[0]!.startsWith('Rig: ["p00"] = bpy.context.scene.frame_current + 0 + 0 + 0'));
    assert.ok(drivers[49]!.startsWith('Rig: ["p49"] = '));
    assert.deepEqual(drivers.map((d) => d.length), Array(50).fill(200));
    assert.ok(drivers.every((d) => d.endsWith('…')));
  });
});
