import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ApiError } from './api/api-errors.js';
import { asApiError, inputErrorsAsBadInput } from './api/input-errors-as-bad-input.js';
import type { FarmApi } from './api/contract.js';
import { NoRoomError } from './disk/no-room-error.js';
import { InputError } from './input-error.js';
import { SceneError } from './jobs/blender/scene-error.js';
import { FrameListError, parseFrameList } from './jobs/frame-list.js';
import { SettingsError } from './jobs/settings-error.js';
import { MediaError } from './jobs/transcode/media-error.js';
import { planVideoChunks } from './jobs/transcode/plan-chunks.js';

/** Wordings no message rule would have caught: only the class decides. */
const ODD = 'zz: something the user must change, in any words at all';

test('every user error class is an InputError, keeping its own name', () => {
  for (const E of [SceneError, MediaError, FrameListError, SettingsError, NoRoomError]) {
    const error = new E(ODD);
    assert.ok(error instanceof InputError, E.name);
    assert.equal(error.name, E.name);
    assert.equal(error.message, ODD);
  }
  assert.throws(() => parseFrameList('1-'), FrameListError);
  assert.throws(() => planVideoChunks({ frameTimes: [] } as never, { agents: 1 } as never), (e: Error) => e instanceof MediaError && e.message === 'The video has no frames to transcode.');
});

test('the API answers an InputError of any wording as bad-input with its sentence, and leaves a plain Error alone', async () => {
  const asApi = asApiError(new NoRoomError(ODD));
  assert.ok(asApi instanceof ApiError);
  assert.equal(asApi.code, 'bad-input');
  assert.equal(asApi.message, ODD);
  const plain = new Error('The words of a user error, thrown as a plain Error.');
  assert.equal(asApiError(plain), plain);

  const api = inputErrorsAsBadInput({
    'jobs.list': async () => { throw new FrameListError(ODD); },
    'jobs.get': async () => { throw plain; },
  } as unknown as FarmApi);
  await assert.rejects(api['jobs.list']({} as never), (e: unknown) => e instanceof ApiError && e.code === 'bad-input' && e.message === ODD);
  await assert.rejects(api['jobs.get']({} as never), (e: unknown) => e === plain);
});
