import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { DRIVER_VARIABLES, PYTHON_EXPRESSIONS, SIMPLE_EXPRESSIONS } from '../../../../test/helpers/driver-expression-cases.js';
import { isSimpleDriverExpression } from './driver-simple-expression.js';

// The cases (test/helpers/driver-expression-cases.ts); blend-scene-facts.test.ts checks the same
// verdicts against Blender 3.4.1's own, `driver.is_simple_expression`, on real drivers.

describe("isSimpleDriverExpression: Blender's simple expression parser", () => {
  for (const expression of SIMPLE_EXPRESSIONS) test(`takes ${JSON.stringify(expression)}`, () => assert.equal(isSimpleDriverExpression(expression, DRIVER_VARIABLES), true));
  for (const expression of PYTHON_EXPRESSIONS) test(`needs Python for ${JSON.stringify(expression)}`, () => assert.equal(isSimpleDriverExpression(expression, DRIVER_VARIABLES), false));

  test('the parameters are frame and the variables; a variable hides a function of its name', () => {
    assert.equal(isSimpleDriverExpression('frame + var', ['var']), true);
    assert.equal(isSimpleDriverExpression('frame + var', []), false);
    assert.equal(isSimpleDriverExpression('sin(1)', ['sin']), false);
    assert.equal(isSimpleDriverExpression('sin * 2', ['sin']), true);
    assert.equal(isSimpleDriverExpression('pi', ['pi']), true);
  });

  test('a deeply nested or huge expression is an answer, not a crash', () => {
    assert.equal(isSimpleDriverExpression('('.repeat(300) + 'x' + ')'.repeat(300), ['x']), true);
    assert.equal(isSimpleDriverExpression('('.repeat(100_000) + 'x' + ')'.repeat(100_000), ['x']), false); // longer than any driver field
    assert.equal(isSimpleDriverExpression('x+'.repeat(1000) + 'x', ['x']), true);
  });
});
