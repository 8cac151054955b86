import type { BlendBlock, BlendFile } from './blend-file.js';

/**
 * The folders a Geometry Nodes modifier's bakes (simulation zones and Bake nodes) are read from
 * at render time, as its .blend wrote them. Measured with Blender 4.3 (test/fixtures/blender-4):
 * a bake on disk lives in `<modifier's bake folder>/<bake id>/` (meta/ and blobs/), or straight
 * in its own folder when it has a custom path; Blender fills the modifier's folder in when it
 * first bakes (`//blendcache_<file>/<object>_<modifier>`). Since 4.3 a bake may be packed into
 * the .blend (the default for a new modifier): it needs no folder, even if an older disk bake
 * is still there. 4.0 had no per-bake records: the modifier's folder holds them all.
 * The modifier's folder is named as written (not `<folder>/<bake id>`): that is the path the
 * agent's Python step maps (`bake_directory`), so an absolute one lands in the workspace.
 */

/** DNA_modifier_types.h (4.1+): NODES_MODIFIER_BAKE_CUSTOM_PATH (1 << 0 is the custom frame range). */
const BAKE_CUSTOM_PATH = 1 << 1;
/** NodesModifierBakeTarget (4.3+). Files from before 4.3 have no such field: every bake is on disk. */
const TARGET_INHERIT = 0;
const TARGET_PACKED = 1;
const TARGET_DISK = 2;

export function nodesBakeFolders(blend: BlendFile, modifier: BlendBlock, blendStem: string): string[] {
  // The field is `bake_directory` in Blender's code, still `simulation_bake_directory` in the file (its DNA name since 4.0).
  const directory = pathField(blend, modifier, 'bake_directory', 'simulation_bake_directory');
  if (directory === undefined) return [];
  // Empty: never baked to disk; the old default, the whole `//blendcache_<file>/`, errs towards sending too much.
  const modifierFolder = directory || `//blendcache_${blendStem}`;
  const bakesAddress = blend.pointer(modifier, 'bakes');
  if (bakesAddress === undefined) return [modifierFolder]; // 4.0
  const bakes = bakesAddress ? blend.byAddress.get(bakesAddress) : undefined;
  const modifierTarget = blend.int(modifier, 'bake_target') ?? TARGET_DISK;
  const folders = new Set<string>();
  for (const bake of bakes ? structArray(bakes) : []) {
    const own = blend.int(bake, 'bake_target') ?? TARGET_INHERIT;
    if ((own === TARGET_INHERIT ? modifierTarget : own) === TARGET_PACKED) continue;
    if ((blend.int(bake, 'flag') ?? 0) & BAKE_CUSTOM_PATH) {
      // A custom path left empty: Blender 4.3 bakes nothing to disk (measured), so there is no folder.
      const custom = pathField(blend, bake, 'directory');
      if (custom) folders.add(custom);
    } else {
      folders.add(modifierFolder);
    }
  }
  return [...folders];
}

/** A `char *` path (a pointer to a block that is a bare C string) or a `char[N]` one, by the first field name the struct has. */
function pathField(blend: BlendFile, block: BlendBlock, ...fields: string[]): string | undefined {
  for (const field of fields) {
    const inline = blend.string(block, field);
    if (inline !== undefined) return inline;
    const address = blend.pointer(block, field);
    if (address === undefined) continue;
    const chars = address ? blend.byAddress.get(address) : undefined;
    if (!chars) return '';
    const bytes = blend.bytesOf(chars);
    const end = bytes.indexOf(0);
    return bytes.subarray(0, end < 0 ? bytes.length : end).toString('utf8');
  }
  return undefined;
}

/** A DATA block holding an array of its struct (NodesModifierData.bakes): each element as a block of its own. */
function* structArray(block: BlendBlock): Generator<BlendBlock> {
  const size = block.struct?.size ?? 0;
  if (size <= 0) return;
  for (let at = 0; at + size <= block.length; at += size) yield { ...block, offset: block.offset + at, length: size };
}
