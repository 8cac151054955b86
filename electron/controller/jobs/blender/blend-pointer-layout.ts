import type { BlendFile } from './blend-file.js';
import { BlendReadError } from './blend-file.js';

/**
 * Where the pointers are in each struct of a .blend, read from the file's own struct description
 * (SDNA): what a walk over the file's data needs and the scene reader (blend-file.ts) does not
 * keep, namely how many `*` a field has (`Material **mat` points at an array of pointers) and
 * which structs are embedded in others (a ListBase, a CurveMap[4]). Computed per struct on first
 * use: a walk touches a few dozen of the ~900 structs a file describes.
 */

/** One pointer (or array of pointers) inside a struct. */
export interface PointerSlot {
  /** Byte offset from the struct's start. */
  offset: number;
  /** Pointers side by side (`*mtex[18]`: 18). */
  count: number;
  /** 1 for `*p`, 2 for `**p` (the target block is an array of pointers). */
  depth: number;
}

export interface PointerLayout {
  /** The type name blocks of raw data carry (struct 0: arrays of numbers, strings, pointer arrays). */
  rawType: string;
  /** The pointer slots of a struct (embedded structs flattened in); undefined when the file does not describe it. */
  slotsOf(structType: string): readonly PointerSlot[] | undefined;
}

/**
 * Fields never followed: an ID's `next`/`prev` chain every ID of its type in the file (Blender
 * does not load a prop's neighbours), and `newid`/`orig_id`/`py_instance` are runtime leftovers.
 */
const NOT_FOLLOWED = new Map<string, ReadonlySet<string>>([['ID', new Set(['next', 'prev', 'newid', 'orig_id', 'py_instance'])]]);

const POINTER_SIZE = 8;

export function pointerLayoutOf(blend: BlendFile): PointerLayout {
  const dnaBlock = blend.blocks.find((b) => b.code === 'DNA1');
  if (!dnaBlock) throw new BlendReadError('the file has no struct description (DNA1 block)');
  const dna = blend.bytesOf(dnaBlock);
  let at = 0;
  const expect = (tag: string) => {
    at = (at + 3) & ~3;
    if (dna.subarray(at, at + 4).toString('latin1') !== tag) throw new BlendReadError(`the struct description is damaged (no ${tag})`);
    at += 4;
  };
  /** Located up front, made strings on first use: a walk reads the names of a few dozen structs' fields. */
  const strings = (): { count: number; get(index: number): string } => {
    const count = dna.readInt32LE(at);
    at += 4;
    const starts = new Int32Array(count + 1);
    for (let i = 0; i < count; i++) {
      starts[i] = at;
      while (at < dna.length && dna[at] !== 0) at++;
      if (at >= dna.length) throw new BlendReadError('the struct description is damaged (unterminated name)');
      at++;
    }
    starts[count] = at;
    const decoded: (string | undefined)[] = new Array(count);
    return {
      count,
      get(index) {
        if (index < 0 || index >= count) throw new BlendReadError(`the struct description is damaged (no name ${index})`);
        return (decoded[index] ??= dna.toString('latin1', starts[index]!, starts[index + 1]! - 1));
      },
    };
  };
  expect('SDNA');
  expect('NAME');
  const names = strings();
  expect('TYPE');
  const types = strings();
  expect('TLEN');
  const lengths = Array.from({ length: types.count }, (_, i) => dna.readInt16LE(at + 2 * i));
  at += 2 * types.count;
  expect('STRC');
  const structCount = dna.readInt32LE(at);
  at += 4;
  /** Struct index by type index, and where each struct's field list starts. */
  const structOfType = new Map<number, number>();
  const structByName = new Map<string, number>();
  const fieldsAt: number[] = [];
  const typeOfStruct: number[] = [];
  for (let s = 0; s < structCount; s++) {
    if (at + 4 > dna.length) throw new BlendReadError('the struct description is damaged (too short)');
    const type = dna.readInt16LE(at);
    typeOfStruct.push(type);
    fieldsAt.push(at);
    structOfType.set(type, s);
    structByName.set(types.get(type), s);
    at += 4 + 4 * dna.readInt16LE(at + 2);
  }
  if (structCount === 0) throw new BlendReadError('the struct description is damaged (no structs)');

  const slots = new Map<number, PointerSlot[]>();
  const slotsOfStruct = (s: number, depth = 0): PointerSlot[] => {
    const known = slots.get(s);
    if (known) return known;
    if (depth > 64) throw new BlendReadError('the struct description is damaged (structs nest too deep)');
    const out: PointerSlot[] = [];
    const skip = NOT_FOLLOWED.get(types.get(typeOfStruct[s]!));
    const p0 = fieldsAt[s]!;
    const fieldCount = dna.readInt16LE(p0 + 2);
    let offset = 0;
    for (let f = 0, p = p0 + 4; f < fieldCount; f++, p += 4) {
      const type = dna.readInt16LE(p);
      const raw = names.get(dna.readInt16LE(p + 2));
      const elements = arrayElements(raw);
      const stars = raw.split('*').length - 1;
      if (stars > 0) {
        const name = raw.replace(/\[.*$/, '').replace(/[()*]/g, '');
        // `(*func)()` is a function pointer: code, never data in the file.
        if (!raw.startsWith('(') && !skip?.has(name) && pointsAtData(types.get(type), stars)) out.push({ offset, count: elements, depth: stars });
        offset += POINTER_SIZE * elements;
        continue;
      }
      const embedded = structOfType.get(type);
      if (embedded !== undefined) {
        const inner = slotsOfStruct(embedded, depth + 1);
        const size = lengths[type]!;
        for (let e = 0; e < elements; e++) for (const slot of inner) out.push({ ...slot, offset: offset + e * size + slot.offset });
      }
      offset += lengths[type]! * elements;
    }
    slots.set(s, out);
    return out;

    /** A pointer to numbers or characters (`float *co`, `char *name`) leads to no other data. */
    function pointsAtData(typeName: string, stars: number): boolean {
      return stars > 1 || typeName === 'void' || structByName.has(typeName);
    }
  };

  return {
    rawType: types.get(typeOfStruct[0]!),
    slotsOf(structType) {
      const s = structByName.get(structType);
      return s === undefined ? undefined : slotsOfStruct(s);
    },
  };
}

/** `mtex[18]` → 18, `cm[4][2]` → 8, `name` → 1. */
function arrayElements(raw: string): number {
  let n = 1;
  for (const m of raw.matchAll(/\[(\d+)\]/g)) n *= Number(m[1]);
  return n;
}
