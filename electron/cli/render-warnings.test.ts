import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { TaskSpec } from '../../node-agent/protocol/index.js';
import { formatRenderWarnings, renderWarnings } from './render-warnings.js';

const chunk = (frames: number[], warnings?: string[]) => ({
  spec: { type: 'blender', frames, outputName: 'shot', format: 'PNG' } as TaskSpec,
  ...(warnings ? { warnings } : {}),
});
const MODIFIER = 'The modifier "MC" on object "Cube" failed: No such file or directory.';

test('the frames of every chunk that warned are counted and each warning is said once', () => {
  const w = renderWarnings([chunk([1, 2, 3, 4], [MODIFIER]), chunk([5, 6, 7, 8]), chunk([9, 10, 11, 12, 13, 14, 15, 16], [MODIFIER, 'The file textures/wood.png is missing.'])]);
  assert.deepEqual(w, { frames: 12, warnings: [MODIFIER, 'The file textures/wood.png is missing.'] });
  assert.equal(formatRenderWarnings(w), `12 frame(s) rendered with warnings: ${MODIFIER}\n  The file textures/wood.png is missing.`);
});

test('a clean render has no warning line', () => {
  assert.equal(formatRenderWarnings(renderWarnings([chunk([1, 2])])), null);
});

test('past five distinct warnings the rest are counted', () => {
  const many = Array.from({ length: 8 }, (_, i) => `w${i}.`);
  const lines = formatRenderWarnings(renderWarnings([chunk([1], many)]))!.split('\n');
  assert.deepEqual(lines, ['1 frame(s) rendered with warnings: w0.', '  w1.', '  w2.', '  w3.', '  w4.', '  …and 3 more warning(s).']);
});
