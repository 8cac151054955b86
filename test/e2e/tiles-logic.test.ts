import assert from 'node:assert/strict';
import { test } from 'node:test';
import { EMPTY_FORM, isSingleFrame, toSubmitParams } from '../../renderer/src/views/submit/submit-form-state.js';

// The submit dialog sends tiles only for a job of one frame (typed, or the scene's own range).

const form = { ...EMPTY_FORM, path: '/shots/still.blend' };
const still = { frameStart: 7, frameEnd: 7, frameStep: 1 };
const shot = { frameStart: 1, frameEnd: 24, frameStep: 1 };

test('one frame, typed or the scene\'s own, is a single-frame job; a range is not', () => {
  assert.equal(isSingleFrame({ frames: '12' }, undefined), true);
  assert.equal(isSingleFrame({ frames: '' }, still), true);
  assert.equal(isSingleFrame({ frames: '' }, shot), false);
  assert.equal(isSingleFrame({ frames: '1-2' }, still), false);
  assert.equal(isSingleFrame({ frames: '' }, undefined), false);
});

test('tiles reach jobs.submit for one frame only, checked 2 to 64', () => {
  const one = toSubmitParams({ ...form, frames: '12', tiles: '4' }).params;
  assert.ok(one?.type === 'render' && one.tiles === 4);
  const range = toSubmitParams({ ...form, frames: '1-24', tiles: '4' }).params;
  assert.ok(range?.type === 'render' && range.tiles === undefined, 'a range never sends tiles left typed from before');
  const none = toSubmitParams({ ...form, frames: '12', tiles: '' }).params;
  assert.ok(none?.type === 'render' && none.tiles === undefined);
  assert.deepEqual(toSubmitParams({ ...form, frames: '12', tiles: '65' }).errors, { tiles: 'Tiles must be a whole number from 2 to 64.' });
  assert.deepEqual(toSubmitParams({ ...form, frames: '', tiles: '3' }, still).params?.type === 'render' ? (toSubmitParams({ ...form, frames: '', tiles: '3' }, still).params as { tiles?: number }).tiles : null, 3);
});
