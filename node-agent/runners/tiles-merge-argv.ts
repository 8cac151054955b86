import { readExrHeader } from './exr-header.js';
import { COMMON_FLAGS } from './ffmpeg-argv.js';
import { TaskFailedError } from './task-errors.js';

/**
 * The ffmpeg command that merges a tiled still (`--tiles`). Each input is a full-size tile image
 * (Blender's border render without "crop to border", the rest of the frame empty); its own
 * rectangle is cut out with `crop` and the pieces are laid side by side with `xstack`, which
 * copies pixels and never blends them: alpha, 16-bit PNG and float EXR pass bit for bit
 * (checked: decoded to raw RGBA / float, the merge equals a whole-frame render byte for byte).
 * `overlay` would not do: it blends by alpha and converts to YUV by default.
 */

export interface TileRect {
  x: number;
  y: number;
  width: number;
  height: number;
}

export interface TilesMergeArgvOptions {
  /** The tile images, in the order of `tiles`. */
  inputs: readonly string[];
  tiles: readonly TileRect[];
  output: string;
  /** For an EXR frame: the tiles' channel depth, kept in the merged file. */
  exrDepth?: 'half' | 'float';
}

export function buildTilesMergeArgv(o: TilesMergeArgvOptions): string[] {
  if (o.inputs.length !== o.tiles.length) throw new Error(`A tiles merge needs one input per tile (${o.tiles.length}), not ${o.inputs.length}.`);
  const cuts = o.tiles.map((t, i) => `[${i}:v]crop=${t.width}:${t.height}:${t.x}:${t.y}:exact=1[t${i}]`);
  const stack = `${o.tiles.map((_, i) => `[t${i}]`).join('')}xstack=inputs=${o.tiles.length}:layout=${o.tiles.map((t) => `${t.x}_${t.y}`).join('|')}[out]`;
  const encoder = o.exrDepth ? ['-c:v', 'exr', '-format', o.exrDepth, '-compression', 'zip16'] : ['-c:v', 'png'];
  return [
    ...COMMON_FLAGS,
    ...o.inputs.flatMap((input) => ['-i', input]),
    '-filter_complex', [...cuts, stack].join(';'),
    '-map', '[out]', '-frames:v', '1', ...encoder,
    o.output,
  ];
}

/** An EXR tile's channel depth: `float` when any channel is 32-bit float, `half` when all are half. */
export async function exrDepthOf(path: string): Promise<'half' | 'float'> {
  const header = await readExrHeader(path).catch((error: Error) => {
    throw new TaskFailedError(`The tile ${path.split('/').pop()} is not a readable OpenEXR file (${error.message}); render the tiles again.`);
  });
  if (header.pixelTypes.includes(0)) throw new TaskFailedError('The EXR tiles hold integer channels, which the merge cannot keep exactly; render the tiles as half or float EXR, or as PNG.', { unrecoverable: true });
  return header.pixelTypes.includes(2) ? 'float' : 'half';
}
