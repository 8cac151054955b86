import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ApiError } from '../controller/api/api-errors.js';
import { InputError } from '../controller/input-error.js';
import { SceneError } from '../controller/jobs/blender/scene-error.js';
import { cliFailure } from './cli-failure.js';
import { UserError } from './user-error.js';

/** A wording no message rule would have caught: only the class decides. */
const ODD = 'zz: something the user must change, in any words at all';

test('UserError is an InputError', () => {
  assert.ok(new UserError(ODD) instanceof InputError);
  assert.equal(new UserError(ODD).name, 'UserError');
});

test('the command line exits 2 with the sentence alone for an InputError of any wording, 1 with the stack for a plain Error', () => {
  assert.deepEqual(cliFailure(new InputError(ODD)), { exitCode: 2, text: `farmhand: ${ODD}` });
  assert.deepEqual(cliFailure(new SceneError(ODD)), { exitCode: 2, text: `farmhand: ${ODD}` });
  const plain = new Error('The scene looks like a user error by its words, but is not one by its class.');
  assert.deepEqual(cliFailure(plain), { exitCode: 1, text: `farmhand: ${plain.stack}` });
  assert.equal(cliFailure(new ApiError('bad-input', ODD)).exitCode, 2);
  assert.equal(cliFailure(new ApiError('internal', ODD)).exitCode, 1);
});
