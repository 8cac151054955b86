import assert from 'node:assert/strict';
import { test } from 'node:test';
import { boundWarnings, createBlenderWarningCollector, isMissingWarning, MAX_WARNING_CHARS, MAX_WARNINGS, missingFilesSentence } from './blender-warnings.js';

/** Lines exactly as Blender 3.4.1 printed them for tiny scenes under /tmp/fhwarn (blank lines dropped, as the runner does). */
const MISSING_TEXTURE = [
  'Blender 3.4.1',
  'Read blend: /tmp/fhwarn/tex.blend',
  "Warning: Path '/tmp/fhwarn/textures/wood.png' not found",
];
const MISSING_LIBRARY = [
  'Read blend: /tmp/fhwarn/libscene.blend',
  "Info: Read library:  '/tmp/fhwarn/lib/props.blend', '//lib/props.blend', parent '<direct>'",
  "Warning: Unable to open '/tmp/fhwarn/lib/props.blend': No such file or directory",
  "Info: Cannot find lib '/tmp/fhwarn/lib/props.blend'",
  "Info: LIB: Object: 'Cube' missing from '/tmp/fhwarn/lib/props.blend', parent '<direct>'",
  'Warning: 1 libraries and 1 linked data-blocks are missing (including 0 ObjectData and 0 Proxies), please check the Info and Outliner editors for details',
  "Warning: Path '/tmp/fhwarn/lib/props.blend' not found",
];
const MODIFIER = 'ERROR (bke.modifier): ./source/blender/blenkernel/intern/modifier.cc:458 BKE_modifier_set_error: Object: "Cube", Modifier: "MC", No such file or directory';
const PY_DRIVER = [
  "\tBPY_driver_exec: restricted access disallows name '__import__', enable auto-execution to support",
  'Error in PyDriver: expression failed: frame * 0.1 + __import__("math").pi',
  'For target: (type=Object, name="Cube", property=location, property_index=0)',
];

function collect(lines: string[], sceneDir = '/tmp/fhwarn') {
  const c = createBlenderWarningCollector(sceneDir);
  for (const line of lines) c.feed(line);
  return c;
}

test('a missing texture (Report Missing Files) is one missing-file warning, named relative to the scene', () => {
  const all = collect(MISSING_TEXTURE).all();
  assert.deepEqual(all, [{ kind: 'missing-file', path: 'textures/wood.png', text: 'The file textures/wood.png is missing.' }]);
  assert.equal(isMissingWarning(all[0]!), true);
});

test('a missing library is one warning, however many lines Blender prints about it', () => {
  const all = collect(MISSING_LIBRARY).all();
  assert.deepEqual(all, [{
    kind: 'missing-library', path: 'lib/props.blend', text: 'The linked library lib/props.blend is missing (No such file or directory).',
  }]);
});

test('a library Blender could not open at load but that the path map then found is no warning', () => {
  assert.deepEqual(collect(MISSING_LIBRARY.slice(0, -1)).all(), []);
});

test('a data-block missing from a library that is there is a missing-library warning naming the block', () => {
  const all = collect(["Info: LIB: Object: 'Prop' missing from '/tmp/fhwarn/lib/props.blend', parent '<direct>'"]).all();
  assert.deepEqual(all.map((w) => [w.kind, w.text]), [['missing-library', 'The linked library lib/props.blend has no Object "Prop".']]);
});

test('the empty path Report Missing Files prints for a point cache on its default folder is no warning', () => {
  // Blender 3.4.1 prints it for a scene whose bake sits in //blendcache_shot/, all files present.
  assert.deepEqual(collect(["Warning: Path '' not found"]).all(), []);
});

test('a file outside the scene folder is named by its absolute path', () => {
  const all = collect(["Warning: Path '/mnt/nas/tex/wood.png' not found"]).all();
  assert.equal(all[0]!.path, '/mnt/nas/tex/wood.png');
});

test('a modifier error printed on every evaluation is one warning, not a failure', () => {
  const all = collect([MODIFIER, MODIFIER]).all();
  assert.deepEqual(all.map((w) => [w.kind, w.text]), [['modifier', 'The modifier "MC" on object "Cube" failed: No such file or directory.']]);
  assert.equal(isMissingWarning(all[0]!), false);
});

test('a Python driver refused by the restricted namespace says which property and why the frame may be wrong', () => {
  const all = collect([...PY_DRIVER, ...PY_DRIVER]).all();
  assert.deepEqual(all.map((w) => [w.kind, w.text]), [[
    'driver',
    'A Python driver on Object "Cube" location[0] was not evaluated, so frames may be wrong: expression failed: frame * 0.1 + __import__("math").pi'
      + " (auto-run scripts are off on the farm, and '__import__' needs them).",
  ]]);
});

test('a text block registered to run at load and skipped, then its driver refused: one warning each, naming the text block and the fix', () => {
  // Blender 3.4.1 with --disable-autoexec on test/helpers/python-driver-scene.ts (rig_gain.py registers fh_gain; a driver calls it).
  const rig = [
    'Read blend: /tmp/m17/rig/shot.blend',
    `scripts disabled for "/tmp/m17/rig/shot.blend", skipping 'rig_gain.py'`,
    "\tBPY_driver_exec: restricted access disallows name 'fh_gain', enable auto-execution to support",
    'Error in PyDriver: expression failed: fh_gain()',
    'For target: (type=NodeTree, name="Shader Nodetree", property=default_value, property_index=-1)',
  ];
  const all = collect([...rig, ...rig]).all();
  assert.deepEqual(all.map((w) => [w.kind, w.text]), [
    ['script', 'The text block "rig_gain.py" registered to run when the scene loads was skipped because auto-run scripts are off on the farm, so frames may be wrong; submit with --trust-scripts to run it on agents started with --allow-scripts.'],
    ['driver', `A Python driver on NodeTree "Shader Nodetree" default_value[-1] was not evaluated, so frames may be wrong: expression failed: fh_gain() (auto-run scripts are off on the farm, and 'fh_gain' needs them).`],
  ]);
  assert.equal(isMissingWarning(all[0]!), false, 'a render goes on with it');
});

test('a driver error whose target line never comes is still reported', () => {
  assert.equal(collect(['Error in PyDriver: expression failed: bad()']).all()[0]!.kind, 'driver');
});

test('a newer-file warning and a skipped driver are warnings', () => {
  const all = collect([
    "Warning: File written by newer Blender binary (3.4.99), expect loss of data! This agent's Blender reads 3.4.6.",
    "skipping driver 'foo()', automatic scripts are disabled",
  ]).all();
  assert.deepEqual(all.map((w) => w.kind), ['newer-file', 'driver']);
  assert.equal(all[0]!.text, "The scene was saved by a newer Blender (file version 3.4.99) than this agent's (3.4.6); data may be lost, so render with the same Blender version.");
});

test('ordinary render lines are not warnings', () => {
  const all = collect([
    'Fra:1 Mem:12.09M (Peak 12.58M) | Time:00:00.10 | Mem:0.00M, Peak:0.00M | Scene, ViewLayer | Sample 1/2',
    "Saved: '/tmp/fhwarn/out/x_0001.png'",
    ' Time: 00:00.17 (Saving: 00:00.12)',
    'GPUTexture: Blender Texture Not Loaded!',
    "Warning: Path '' not found",
    'Blender quit',
  ]).all();
  assert.deepEqual(all, []);
});

test('warnings are bounded by the contract: at most 100 of at most 1000 characters, the last counting the rest', () => {
  const many = Array.from({ length: 250 }, (_, i) => `w${i} ${'x'.repeat(i === 0 ? 5000 : 10)}`);
  const bounded = boundWarnings(many);
  assert.equal(bounded.length, MAX_WARNINGS);
  assert.ok(bounded.every((t) => t.length <= MAX_WARNING_CHARS));
  assert.equal(bounded[MAX_WARNINGS - 1], '…and 151 more warnings.');
  const c = collect(Array.from({ length: 300 }, (_, i) => `Warning: Path '/tmp/fhwarn/t/${i}.png' not found`));
  assert.equal(c.texts().length, MAX_WARNINGS);
});

test('the failure sentence names the missing file and the fix', () => {
  assert.equal(
    missingFilesSentence('shot.blend', collect(MISSING_TEXTURE).all()),
    'The scene "shot.blend" needs textures/wood.png, which is missing on this agent; put the file where the scene expects it and resubmit, or submit with --allow-missing to render without it.',
  );
  assert.match(missingFilesSentence('shot.blend', collect([...MISSING_TEXTURE, ...MISSING_LIBRARY]).all()), /needs 2 files \(textures\/wood\.png, lib\/props\.blend\), which are missing/);
});
