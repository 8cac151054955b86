import { readdir } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { comparePixels } from './pixel-diff.js';
import type { ReferenceRender } from './reference-render.js';

/**
 * How a farm's output folder differs from a reference render, pixel for pixel: every
 * reference frame must be `<out>/<prefix>_####.png` (the farm keeps `<name>_####.<ext>`) and
 * every File Output pass a file of the same name anywhere under `<out>` (the farm keeps their
 * relative names, e.g. `passes/fg_0001.png`). Returns one line per problem; [] means equal.
 */
export async function renderDifferences(out: string, ref: ReferenceRender, o: { prefix: string; frames: number[] }): Promise<string[]> {
  const problems: string[] = [];
  const files = (await readdir(out, { recursive: true }).catch(() => [] as string[])).map(String);
  const pairs: [string, string][] = o.frames.map((f, i) => [`${o.prefix}_${String(f).padStart(4, '0')}.png`, ref.frames[i]!]);
  for (const pass of ref.passes) {
    const found = files.filter((f) => basename(f) === basename(pass));
    if (found.length !== 1) problems.push(`pass ${basename(pass)}: ${found.length === 0 ? 'not in the output' : `${found.length} copies (${found.join(', ')})`}`);
    else pairs.push([found[0]!, pass]);
  }
  for (const [name, expected] of pairs) {
    if (!files.includes(name)) {
      if (!ref.passes.includes(expected)) problems.push(`${name}: not in the output`);
      continue;
    }
    const diff = await comparePixels(join(out, name), expected);
    if (diff.maxChannelDiff !== 0) problems.push(`${name}: ${diff.sameSize ? `max channel difference ${diff.maxChannelDiff} on ${(diff.differingShare * 100).toFixed(1)} % of pixels` : 'a different size'} against ${expected}`);
  }
  return problems;
}
