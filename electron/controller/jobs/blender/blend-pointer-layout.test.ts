import assert from 'node:assert/strict';
import { fileURLToPath } from 'node:url';
import { test } from 'node:test';
import { readBlendBytes } from './blend-bytes.js';
import { parseBlendFile, type BlendFile } from './blend-file.js';
import { pointerLayoutOf } from './blend-pointer-layout.js';
import { BlendReachability, linkedIdsIn } from './blend-reachability.js';

// The pointer layout a library walk follows, read from files Blender wrote: the example scene
// (Blender 3.4) and the committed Blender 4.3 fixtures.

const file = (path: string) => fileURLToPath(new URL(`../../../../${path}`, import.meta.url));
const read = async (path: string): Promise<BlendFile> => parseBlendFile(await readBlendBytes(file(path)));

for (const path of ['assets/examples/spinning-cube.blend', 'test/fixtures/blender-4/shot/scene.blend']) {
  test(`${path}: pointers by the file's own SDNA (an ID's neighbours not followed, **mat an array of pointers, ListBases embedded)`, async () => {
    const blend = await read(path);
    const layout = pointerLayoutOf(blend);
    const mesh = blend.blocks.find((b) => b.code === 'ME')!;
    const offset = (field: string) => blend.field(mesh, field)!.bytes.byteOffset - blend.bytesOf(mesh).byteOffset;
    const slots = layout.slotsOf('Mesh')!;
    const at = (o: number) => slots.filter((s) => s.offset === o);
    assert.deepEqual(at(offset('mat')), [{ offset: offset('mat'), count: 1, depth: 2 }]);
    assert.deepEqual(at(offset('id.lib')), [{ offset: offset('id.lib'), count: 1, depth: 1 }]);
    assert.deepEqual([...at(offset('id.next')), ...at(offset('id.prev'))], [], 'an ID\'s next/prev are never followed');
    // A ListBase embedded in a struct is its two pointers (first, last).
    const listBase = layout.slotsOf('ListBase')!;
    assert.deepEqual(listBase, [{ offset: 0, count: 1, depth: 1 }, { offset: 8, count: 1, depth: 1 }]);
    // `float *` and `char *` lead to no other data, a function pointer to none either.
    assert.ok(slots.every((s) => s.depth >= 1));
    assert.equal(layout.slotsOf('NoSuchStruct'), undefined);
  });
}

test('Blender 4.3: the material a scene links from its library reaches that library\'s texture and not the library\'s other data', async () => {
  const shot = await read('test/fixtures/blender-4/shot/scene.blend');
  const linked = [...linkedIdsIn(shot, shot.blocks).values()];
  assert.deepEqual(linked, [['MAPropMat']]);
  const library = await read('test/fixtures/blender-4/lib/props.blend');
  const walk = new BlendReachability(library);
  assert.equal(walk.reach(linked[0]!), undefined);
  const codes = new Set([...walk.reached].map((b) => b.code));
  assert.deepEqual([...codes].sort(), ['DATA', 'IM', 'MA']);
  assert.ok(walk.reached.size < library.blocks.length / 4, `${walk.reached.size} of ${library.blocks.length} blocks`);
  assert.equal(walk.reach(['OBNoSuchProp']), 'it does not hold object "NoSuchProp", which the linking file asks for');
});
