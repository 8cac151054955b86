/**
 * Reads a .blend file without Blender: the header, the file blocks and the SDNA (the file's own
 * description of every struct it contains), so any field can be found by name whatever the
 * Blender version that wrote it. Used to read a scene's settings in milliseconds instead of
 * starting Blender (~2 s). Takes the file's uncompressed bytes (blend-bytes.ts reads gzip and
 * zstd files); anything it does not understand (big-endian, 32-bit) is a BlendReadError, and
 * the caller asks Blender instead. Two layouts exist (Blender's BLO_core_blend_header.hh):
 * - format 0 (Blender 2.x to 4.x): a 12-byte header `BLENDER-v304` (pointer size, endianness,
 *   three version digits) and 24-byte block headers {code, int32 length, old address, SDNA
 *   index, count} (SmallBHead8);
 * - format 1 (Blender 5.0+): a 17-byte header `BLENDER17-01v0500` (header size 17, format 01,
 *   little-endian, four version digits) and 32-byte block headers {code, SDNA index, old
 *   address, int64 length, int64 count} (LargeBHead8), so a block may exceed 2 GiB.
 */

export class BlendReadError extends Error {
  override name = 'BlendReadError';
}

interface Field {
  name: string;
  type: string;
  offset: number;
  size: number;
  isPointer: boolean;
}

interface Struct {
  type: string;
  size: number;
  /** Decoded on first use. */
  readonly fields: Map<string, Field>;
}

export interface BlendBlock {
  code: string;
  /** The block's address in the writing process: pointers in other blocks refer to it. */
  address: bigint;
  struct: Struct | undefined;
  offset: number;
  length: number;
}

export interface BlendFile {
  /** The header's version: 304 for 3.4, 500 for 5.0. */
  version: number;
  /** The low-level layout: 0 (12-byte header, SmallBHead8) or 1 (Blender 5's 17-byte header, LargeBHead8). */
  format: 0 | 1;
  blocks: BlendBlock[];
  byAddress: Map<bigint, BlendBlock>;
  /** A field's raw bytes by dotted path (`r.sfra`), or undefined when the struct has no such field. */
  field(block: BlendBlock, path: string): { bytes: Buffer; field: Field } | undefined;
  int(block: BlendBlock, path: string): number | undefined;
  float(block: BlendBlock, path: string): number | undefined;
  string(block: BlendBlock, path: string): string | undefined;
  pointer(block: BlendBlock, path: string): bigint | undefined;
  /** A block's raw bytes (a DATA block that is a bare string or array). */
  bytesOf(block: BlendBlock): Buffer;
}

/** Format 0: `BLENDER` + pointer size (`-` 8, `_` 4) + endianness (`v` little, `V` big) + 3 version digits. */
const HEADER = /^BLENDER([_-])([vV])(\d{3})$/;
/** Format 1 (Blender 5.0+): `BLENDER` + header size `17` + `-` + format `01` + `v` (always little-endian) + 4 version digits. */
const LARGE_HEADER = /^BLENDER17-01v(\d{4})$/;

export function parseBlendFile(data: Buffer): BlendFile {
  const large = LARGE_HEADER.exec(data.subarray(0, 17).toString('latin1'));
  const header = large ? null : HEADER.exec(data.subarray(0, 12).toString('latin1'));
  if (!large && !header) throw new BlendReadError('the file header is not one this reader knows (a newer Blender, or not a .blend)');
  if (header && (header[1] !== '-' || header[2] !== 'v')) throw new BlendReadError('the file was written by a 32-bit or big-endian Blender');
  const pointerSize = 8;
  const headSize = large ? 32 : 24;
  const blocks: BlendBlock[] = [];
  let dna: { offset: number; length: number } | null = null;
  let at = large ? 17 : 12;
  let ended = false;
  while (at + headSize <= data.length) {
    const code = blockCode(data, at);
    // LargeBHead8 {int code; int SDNAnr; uint64 old; int64 len; int64 nr} / SmallBHead8 {int code, len; uint64 old; int SDNAnr, nr}.
    const length = large ? bigLength(data.readBigInt64LE(at + 16)) : data.readInt32LE(at + 4);
    const address = data.readBigUInt64LE(at + 8);
    const sdnaIndex = large ? data.readInt32LE(at + 4) : data.readInt32LE(at + 8 + pointerSize);
    const offset = at + headSize;
    if (code === 'ENDB') {
      ended = true;
      break;
    }
    if (length < 0 || offset + length > data.length) throw new BlendReadError(`block ${blocks.length} runs past the end of the file (truncated)`);
    if (code === 'DNA1') dna = { offset, length };
    blocks.push({ code, address, struct: undefined, offset, length, sdnaIndex } as BlendBlock & { sdnaIndex: number });
    at = offset + length;
  }
  if (!ended) throw new BlendReadError('the file ends before its last block (truncated)');
  if (!dna) throw new BlendReadError('the file has no struct description (DNA1 block)');
  const structs = parseSdna(data.subarray(dna.offset, dna.offset + dna.length), pointerSize);
  for (const block of blocks as (BlendBlock & { sdnaIndex: number })[]) block.struct = structs[block.sdnaIndex];

  const byAddress = new Map(blocks.map((b) => [b.address, b]));
  const locate = (block: BlendBlock, path: string) => {
    let struct = block.struct;
    let offset = block.offset;
    let field: Field | undefined;
    const parts = path.split('.');
    for (let i = 0; i < parts.length; i++) {
      field = struct?.fields.get(parts[i]!);
      if (!field) return undefined;
      offset += field.offset;
      if (i < parts.length - 1) struct = structsByType.get(field.type);
    }
    if (!field || offset + field.size > block.offset + block.length) return undefined;
    return { bytes: data.subarray(offset, offset + field.size), field };
  };
  const structsByType = new Map(structs.map((s) => [s.type, s]));
  return {
    version: Number(large ? large[1] : header![3]),
    format: large ? 1 : 0,
    blocks,
    byAddress,
    field: locate,
    int(block, path) {
      const f = locate(block, path);
      if (!f || f.field.isPointer) return undefined;
      switch (f.field.type) {
        case 'char': case 'int8_t': return f.bytes.readInt8(0);
        case 'uchar': case 'uint8_t': return f.bytes.readUInt8(0);
        case 'short': case 'int16_t': return f.bytes.readInt16LE(0);
        case 'ushort': case 'uint16_t': return f.bytes.readUInt16LE(0);
        case 'int': case 'int32_t': return f.bytes.readInt32LE(0);
        // Blender 4.x declares newer fields with fixed-width types (NodesModifierBake.bake_target is int8_t).
        case 'uint': case 'uint32_t': return f.bytes.readUInt32LE(0);
        default: return undefined;
      }
    },
    float(block, path) {
      const f = locate(block, path);
      if (!f || f.field.isPointer) return undefined;
      if (f.field.type === 'float') return f.bytes.readFloatLE(0);
      if (f.field.type === 'double') return f.bytes.readDoubleLE(0);
      return undefined;
    },
    string(block, path) {
      const f = locate(block, path);
      if (!f || f.field.type !== 'char' || f.field.isPointer) return undefined;
      const end = f.bytes.indexOf(0);
      return f.bytes.subarray(0, end < 0 ? f.bytes.length : end).toString('utf8');
    },
    pointer(block, path) {
      const f = locate(block, path);
      if (!f || !f.field.isPointer) return undefined;
      return f.bytes.readBigUInt64LE(0);
    },
    bytesOf(block) {
      return data.subarray(block.offset, block.offset + block.length);
    },
  };
}

/** A 64-bit block length as a number; past 2^53 it is damage (negative stays negative, and is refused). */
function bigLength(length: bigint): number {
  return length > BigInt(Number.MAX_SAFE_INTEGER) ? Number.MAX_SAFE_INTEGER : Number(length);
}

/** A block's two- to four-letter code (`SC`, `GLOB`, `DNA1`), without its zero padding. */
function blockCode(data: Buffer, at: number): string {
  let code = '';
  for (let i = at; i < at + 4 && data[i] !== 0; i++) code += String.fromCharCode(data[i]!);
  return code;
}

/** Names and types are located up front but become strings only when read: a scene read needs few of them. */
class LazyStrings {
  private readonly decoded: (string | undefined)[];
  constructor(private readonly dna: Buffer, private readonly starts: Int32Array) {
    this.decoded = new Array<string | undefined>(starts.length - 1);
  }
  get length(): number {
    return this.starts.length - 1;
  }
  get(index: number): string {
    if (index < 0 || index >= this.length) throw new BlendReadError(`the struct description is damaged (no name ${index})`);
    return (this.decoded[index] ??= this.dna.subarray(this.starts[index]!, this.starts[index + 1]! - 1).toString('latin1'));
  }
}

/** The SDNA block: names, types, type sizes and structs, each section 4-byte aligned. */
function parseSdna(dna: Buffer, pointerSize: number): Struct[] {
  let at = 0;
  const expect = (tag: string) => {
    at = (at + 3) & ~3;
    if (dna.subarray(at, at + 4).toString('latin1') !== tag) throw new BlendReadError(`the struct description is damaged (no ${tag})`);
    at += 4;
  };
  const strings = (count: number): LazyStrings => {
    const starts = new Int32Array(count + 1);
    // A plain loop: ~5,000 names are short, and Buffer.indexOf's call cost is most of the time per name.
    for (let i = 0; i < count; i++) {
      starts[i] = at;
      while (at < dna.length && dna[at] !== 0) at++;
      if (at >= dna.length) throw new BlendReadError('the struct description is damaged (unterminated name)');
      at++;
    }
    starts[count] = at;
    return new LazyStrings(dna, starts);
  };

  expect('SDNA');
  expect('NAME');
  const names = strings(dna.readInt32LE((at += 4) - 4));
  expect('TYPE');
  const types = strings(dna.readInt32LE((at += 4) - 4));
  expect('TLEN');
  const lengths = Array.from({ length: types.length }, (_, i) => dna.readInt16LE(at + 2 * i));
  at += 2 * types.length;
  expect('STRC');
  const count = dna.readInt32LE(at);
  at += 4;
  // A file describes ~900 structs and ~12,000 fields; a scene read touches six structs. Each
  // struct's fields are decoded the first time it is used (a reader of every field took 50 ms).
  const fieldName = new Map<number, { name: string; isPointer: boolean; elements: number }>();
  const nameInfo = (index: number) => {
    let info = fieldName.get(index);
    if (!info) {
      const raw = names.get(index);
      const elements = [...raw.matchAll(/\[(\d+)\]/g)].reduce((n, m) => n * Number(m[1]), 1);
      info = { name: raw.replace(/\[.*$/, '').replace(/[()*]/g, ''), isPointer: raw.includes('*'), elements };
      fieldName.set(index, info);
    }
    return info;
  };
  const structs: Struct[] = [];
  for (let s = 0; s < count; s++) {
    if (at + 4 > dna.length) throw new BlendReadError('the struct description is damaged (too short)');
    const structType = dna.readInt16LE(at);
    const fieldCount = dna.readInt16LE(at + 2);
    const fieldsAt = at + 4;
    at = fieldsAt + 4 * fieldCount;
    let fields: Map<string, Field> | undefined;
    structs.push({
      type: types.get(structType),
      size: lengths[structType]!,
      get fields() {
        if (fields) return fields;
        fields = new Map();
        let offset = 0;
        for (let f = 0, p = fieldsAt; f < fieldCount; f++, p += 4) {
          const typeIndex = dna.readInt16LE(p);
          const info = nameInfo(dna.readInt16LE(p + 2));
          const size = (info.isPointer ? pointerSize : lengths[typeIndex]!) * info.elements;
          fields.set(info.name, { name: info.name, type: types.get(typeIndex), offset, size, isPointer: info.isPointer });
          offset += size;
        }
        return fields;
      },
    });
  }
  return structs;
}
