import assert from 'node:assert/strict';
import { test } from 'node:test';
import { jobWarningLine, taskWarningsTitle } from '../../renderer/src/model/job-warnings.js';

// The job row's and detail's warning line, without a browser.

const MODIFIER = 'The modifier "MC" on object "Plane" failed: Vertex count mismatch.';

test('a job without warnings shows no line', () => {
  assert.equal(jobWarningLine({}), null);
});

test('task warnings are counted and the first named', () => {
  assert.deepEqual(jobWarningLine({ warningCount: 1, firstWarning: MODIFIER }), { count: 1, text: `1 warning: ${MODIFIER}` });
});

test('the job\'s own submit warnings come first and count with the tasks\'', () => {
  const line = jobWarningLine({ warnings: ['Submitted with 1 file missing: textures/wood.png.'], warningCount: 2, firstWarning: MODIFIER });
  assert.deepEqual(line, { count: 3, text: '3 warnings: Submitted with 1 file missing: textures/wood.png.' });
});

test('a task\'s warnings make its tooltip, one per line', () => {
  assert.equal(taskWarningsTitle({ warnings: [MODIFIER, 'b.'] }), `${MODIFIER}\nb.`);
  assert.equal(taskWarningsTitle({}), null);
});
