import type { BlendBlock, BlendFile } from './blend-file.js';
import { isSimpleDriverExpression } from './driver-simple-expression.js';

/**
 * The Python a scene runs only when its scripts are trusted (`-y`; agents pass
 * `--disable-autoexec` otherwise, and Blender then skips them, printing "skipping"): text
 * blocks registered to run when the file loads (Text "Register", `use_module`, the flag
 * TXT_ISSCRIPT, and only for a name ending in `.py`, as BPY_python_reset checks), and scripted
 * drivers whose expression Blender's simple evaluator cannot take (driver-simple-expression.ts).
 * A driver reads `<ID name>: <data path> = <expression>`. Both lists are sorted and bounded.
 */

/** DNA_text_types.h: "Load the script as a Python module when loading the .blend file". */
const TXT_ISSCRIPT = 1 << 4;
/** DNA_anim_types.h eDriver_Types: AVERAGE 0, PYTHON 1 (Scripted Expression), SUM, MIN, MAX. */
const DRIVER_TYPE_PYTHON = 1;
/** At most this many of each are named (a rig may have thousands of drivers). */
export const MAX_SCRIPT_ENTRIES = 50;
/** Each entry is cut to this many characters. */
export const MAX_SCRIPT_ENTRY_CHARS = 200;
/** Lists are walked at most this far (a looping list in a damaged file). */
const MAX_LIST = 100_000;

export interface SceneScripts {
  modules: string[];
  drivers: string[];
}

/** The shot's, and with `files` (the shot and the parts of libraries it reaches) those too. */
export function scriptsOf(blend: BlendFile, files?: readonly { blend: BlendFile; blocks: readonly BlendBlock[] }[]): SceneScripts | undefined {
  const found = { modules: new Set<string>(), drivers: new Set<string>() };
  for (const file of files ?? [{ blend, blocks: blend.blocks }]) collectScripts(file.blend, file.blocks, found);
  return boundedScripts(found);
}

/** Both lists bounded, or undefined when both are empty. */
export function boundedScripts(found: { modules: Set<string>; drivers: Set<string> }): SceneScripts | undefined {
  if (found.modules.size === 0 && found.drivers.size === 0) return undefined;
  return { modules: bounded(found.modules), drivers: bounded(found.drivers) };
}

/** Adds what these blocks of one file hold (the whole shot, or the part of a library it links). */
export function collectScripts(blend: BlendFile, blocks: Iterable<BlendBlock>, { modules, drivers }: { modules: Set<string>; drivers: Set<string> }): void {
  for (const block of blocks) {
    if (block.code === 'TX') {
      const name = idName(blend, block);
      if ((blend.int(block, 'flags') ?? 0) & TXT_ISSCRIPT && name.toLowerCase().endsWith('.py')) modules.add(name);
    }
    // Every ID with animation data: objects, meshes, shape keys, materials, and node trees embedded in them.
    if (!block.struct?.fields.has('adt') || block.struct.fields.get('id')?.type !== 'ID') continue;
    const adtAddress = blend.pointer(block, 'adt');
    const adt = adtAddress ? blend.byAddress.get(adtAddress) : undefined;
    if (!adt || adt.struct?.type !== 'AnimData') continue;
    for (const curve of list(blend, blend.pointer(adt, 'drivers.first'), 'FCurve')) {
      const driverAddress = blend.pointer(curve, 'driver');
      const driver = driverAddress ? blend.byAddress.get(driverAddress) : undefined;
      if (!driver || driver.struct?.type !== 'ChannelDriver' || blend.int(driver, 'type') !== DRIVER_TYPE_PYTHON) continue;
      const expression = blend.string(driver, 'expression') ?? '';
      if (expression === '') continue; // Blender evaluates an empty expression to 0 without Python.
      const variables = [...list(blend, blend.pointer(driver, 'variables.first'), 'DriverVar')].map((v) => blend.string(v, 'name') ?? '');
      if (isSimpleDriverExpression(expression, variables)) continue;
      drivers.add(`${idName(blend, block)}: ${cString(blend, blend.pointer(curve, 'rna_path'))} = ${expression}`);
    }
  }
}

/** Sorted (the same order whoever lists them), at most MAX_SCRIPT_ENTRIES, each at most MAX_SCRIPT_ENTRY_CHARS. */
export function bounded(entries: Iterable<string>): string[] {
  return [...entries].sort().slice(0, MAX_SCRIPT_ENTRIES).map((e) => (e.length > MAX_SCRIPT_ENTRY_CHARS ? `${e.slice(0, MAX_SCRIPT_ENTRY_CHARS - 1)}…` : e));
}

function* list(blend: BlendFile, first: bigint | undefined, type: string): Generator<BlendBlock> {
  let at = first;
  for (let i = 0; at && i < MAX_LIST; i++) {
    const block = blend.byAddress.get(at);
    if (!block || block.struct?.type !== type) return;
    yield block;
    at = blend.pointer(block, 'next');
  }
}

function idName(blend: BlendFile, block: BlendBlock): string {
  return (blend.string(block, 'id.name') ?? '').slice(2);
}

/** A `char *` field's string: a block that is a bare C string. */
function cString(blend: BlendFile, address: bigint | undefined): string {
  const block = address ? blend.byAddress.get(address) : undefined;
  if (!block) return '';
  const bytes = blend.bytesOf(block);
  const end = bytes.indexOf(0);
  return bytes.subarray(0, end < 0 ? bytes.length : end).toString('utf8');
}

/**
 * The same inside Blender (the probe's fallback): Blender's own verdict, `driver.is_simple_expression`,
 * over every ID with animation data, the node trees embedded in materials, worlds, scenes and
 * lights included; sorted and bounded as above.
 */
export const SCRIPTS_PY = `
def farmhand_scripts():
    modules = sorted({t.name for t in bpy.data.texts if t.use_module and t.name.lower().endswith(".py")})
    drivers, seen = set(), set()
    def visit(id):
        if id is None or id.as_pointer() in seen:
            return
        seen.add(id.as_pointer())
        ad = getattr(id, "animation_data", None)
        for fc in (ad.drivers if ad else []):
            d = fc.driver
            if d.type == "SCRIPTED" and d.expression != "" and not d.is_simple_expression:
                drivers.add("%s: %s = %s" % (id.name, fc.data_path, d.expression))
        visit(getattr(id, "node_tree", None))
    for name in dir(bpy.data):
        coll = getattr(bpy.data, name, None)
        if isinstance(coll, bpy.types.bpy_prop_collection):
            for id in coll:
                if isinstance(id, bpy.types.ID):
                    visit(id)
    if not modules and not drivers:
        return None
    cut = lambda xs: [x if len(x) <= ${MAX_SCRIPT_ENTRY_CHARS} else x[:${MAX_SCRIPT_ENTRY_CHARS - 1}] + "\\u2026" for x in sorted(xs)[:${MAX_SCRIPT_ENTRIES}]]
    return {"modules": cut(modules), "drivers": cut(drivers)}
`;
