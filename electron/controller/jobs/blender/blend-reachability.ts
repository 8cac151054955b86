import type { BlendBlock, BlendFile } from './blend-file.js';
import { pointerLayoutOf, type PointerLayout } from './blend-pointer-layout.js';

/**
 * Which blocks of a linked library Blender loads for the IDs a shot links from it: Blender reads
 * the linked IDs and whatever they point at (a prop's mesh, its materials, their node trees and
 * images), not the library's other props. This walk follows every pointer the file's struct
 * description (SDNA) declares, from the named IDs, through ListBases and pointer arrays, so it
 * reaches at least what Blender's own expansion does. Pointers to memory the file does not hold
 * (runtime data) lead nowhere. Where the walk cannot tell (a struct the file does not describe, an
 * ID the library does not hold, more than MAX_WALK_STEPS pointers), it says why, and the caller
 * takes the whole library as before.
 */

/** Pointers read per library before the walk gives up (a library of ~1 M bones and vertex groups). */
export const MAX_WALK_STEPS = 4_000_000;

/** Blocks that are file bookkeeping, never data an ID points at. */
const NOT_DATA = new Set(['REND', 'TEST', 'GLOB', 'DNA1', 'USER', 'ENDB']);

/** An ID a file links from a library: a placeholder block (`ID`) naming it, whose `lib` is that library's block (`LI`). */
export interface LinkedId {
  /** With its type prefix, as in the file: `OBChair`, `GRRoom`. */
  name: string;
  library: BlendBlock;
}

/** The IDs these blocks link from other files, by library block. */
export function linkedIdsIn(blend: BlendFile, blocks: Iterable<BlendBlock>): Map<BlendBlock, string[]> {
  const out = new Map<BlendBlock, string[]>();
  for (const block of blocks) {
    if (block.code !== 'ID') continue;
    const name = blend.string(block, 'name');
    const lib = blend.pointer(block, 'lib');
    const library = lib ? blend.byAddress.get(lib) : undefined;
    if (!name || library?.code !== 'LI') continue;
    const names = out.get(library) ?? [];
    names.push(name);
    out.set(library, names);
  }
  return out;
}

/** The blocks reachable from a growing set of a library's own IDs (one walk state per library file). */
export class BlendReachability {
  /** The blocks reached so far (IDs, their data, placeholders of IDs linked from further libraries, those libraries' blocks). */
  readonly reached = new Set<BlendBlock>();
  /** Pointers read so far. */
  steps = 0;
  private layout: PointerLayout | undefined;
  private localIds: Map<string, BlendBlock> | undefined;

  constructor(private readonly blend: BlendFile, private readonly maxSteps = MAX_WALK_STEPS) {}

  /** Walks from these IDs (by name, `OBChair`); undefined when done, or why the walk cannot tell. */
  reach(names: Iterable<string>): string | undefined {
    this.layout ??= pointerLayoutOf(this.blend);
    this.localIds ??= this.indexLocalIds();
    const queue: BlendBlock[] = [];
    for (const name of names) {
      const root = this.localIds.get(name);
      if (!root) return `it does not hold ${describeId(name)}, which the linking file asks for`;
      if (!this.reached.has(root)) {
        this.reached.add(root);
        queue.push(root);
      }
    }
    const { blend, layout } = this;
    const follow = (address: bigint) => {
      const target = blend.byAddress.get(address);
      if (!target || this.reached.has(target) || NOT_DATA.has(target.code)) return;
      if (target.struct?.type === layout.rawType) return; // numbers and strings: nothing to follow
      this.reached.add(target);
      if (target.code === 'LI') return; // a further library: its blocks are in its own file
      queue.push(target);
    };
    for (let i = 0; i < queue.length; i++) {
      const block = queue[i]!;
      if (block.code === 'ID') {
        // A placeholder for an ID linked from a further library: only its library matters here.
        const lib = blend.pointer(block, 'lib');
        if (lib) follow(lib);
        continue;
      }
      const struct = block.struct;
      const slots = struct ? layout.slotsOf(struct.type) : undefined;
      if (!struct || !slots) return `its data holds a struct this reader does not know (block ${block.code} at ${block.offset})`;
      if (slots.length === 0 || struct.size <= 0) continue;
      const bytes = blend.bytesOf(block);
      const elements = Math.floor(bytes.length / struct.size);
      this.steps += elements * slots.reduce((n, slot) => n + slot.count, 0);
      if (this.steps > this.maxSteps) return `its data has more than ${this.maxSteps.toLocaleString('en-US')} pointers to follow`;
      for (let e = 0, base = 0; e < elements; e++, base += struct.size) {
        for (const slot of slots) {
          for (let k = 0, at = base + slot.offset; k < slot.count; k++, at += 8) {
            if (bytes.readUInt32LE(at) === 0 && bytes.readUInt32LE(at + 4) === 0) continue;
            const address = bytes.readBigUInt64LE(at);
            if (slot.depth === 1) {
              follow(address);
              continue;
            }
            // `**p`: the target is an array of pointers (written as raw data), each followed.
            const array = blend.byAddress.get(address);
            if (!array) continue;
            const pointers = blend.bytesOf(array);
            this.steps += pointers.length >> 3;
            for (let at2 = 0; at2 + 8 <= pointers.length; at2 += 8) {
              if (pointers.readUInt32LE(at2) === 0 && pointers.readUInt32LE(at2 + 4) === 0) continue;
              follow(pointers.readBigUInt64LE(at2));
            }
          }
        }
      }
    }
    return undefined;
  }

  /** The file's own IDs (not placeholders of linked ones), by name with type prefix. */
  private indexLocalIds(): Map<string, BlendBlock> {
    const ids = new Map<string, BlendBlock>();
    for (const block of this.blend.blocks) {
      if (block.code.length !== 2 || block.code === 'ID' || block.struct?.fields.get('id')?.type !== 'ID') continue;
      if (this.blend.pointer(block, 'id.lib')) continue;
      const name = this.blend.string(block, 'id.name');
      if (name && name.startsWith(block.code)) ids.set(name, block);
    }
    return ids;
  }
}

/** `OBChair` → `object "Chair"`, for the manifest's note. */
export function describeId(name: string): string {
  const kinds: Record<string, string> = { OB: 'object', GR: 'collection', MA: 'material', ME: 'mesh', SC: 'scene', NT: 'node group', IM: 'image', AC: 'action', WO: 'world' };
  const kind = kinds[name.slice(0, 2)];
  return kind ? `${kind} "${name.slice(2)}"` : `"${name}"`;
}
