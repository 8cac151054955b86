/**
 * Format converters for .blend tests, since no Blender 5 runs here: they rewrite the container
 * of a plain (uncompressed) file that Blender 3.4.1 wrote, never its data.
 * - toBlendFormat1: Blender 5's layout (BLO_core_blend_header.hh, BLO_core_bhead.hh): the
 *   17-byte header `BLENDER17-01v0500` and every 24-byte SmallBHead8 {code, int32 len, old,
 *   SDNAnr, nr} as a 32-byte LargeBHead8 {code, SDNAnr, old, int64 len, int64 nr}.
 * - withHeaderVersion: the same file claiming another Blender saved it (`BLENDER-v401`), as a
 *   file from a newer Blender looks to the version check.
 */

export function toBlendFormat1(plain: Buffer, version = 500): Buffer {
  if (plain.subarray(0, 9).toString('latin1') !== 'BLENDER-v') throw new Error('toBlendFormat1 takes a plain 64-bit little-endian .blend (BLENDER-v…)');
  const parts: Buffer[] = [Buffer.from(`BLENDER17-01v${String(version).padStart(4, '0')}`, 'latin1')];
  let at = 12;
  for (let blocks = 0; at + 24 <= plain.length && blocks < 10_000_000; blocks++) {
    const code = plain.subarray(at, at + 4);
    const length = plain.readInt32LE(at + 4);
    const head = Buffer.alloc(32);
    code.copy(head, 0);
    head.writeInt32LE(plain.readInt32LE(at + 16), 4); // SDNAnr
    plain.copy(head, 8, at + 8, at + 16); // old address
    head.writeBigInt64LE(BigInt(length), 16);
    head.writeBigInt64LE(BigInt(plain.readInt32LE(at + 20)), 24); // nr
    parts.push(head, plain.subarray(at + 24, at + 24 + length));
    at += 24 + length;
    if (code.toString('latin1') === 'ENDB') break;
  }
  return Buffer.concat(parts);
}

export function withHeaderVersion(plain: Buffer, version: number): Buffer {
  if (plain.subarray(0, 9).toString('latin1') !== 'BLENDER-v') throw new Error('withHeaderVersion takes a plain 64-bit little-endian .blend (BLENDER-v…)');
  const out = Buffer.from(plain);
  out.write(String(version).padStart(3, '0'), 9, 'latin1');
  return out;
}
