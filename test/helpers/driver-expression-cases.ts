/**
 * Driver expressions with the verdict of Blender's simple-expression parser, for the variables
 * `x`, `_x` and `x_1`: the cases of Blender's own parser tests (BLI_expr_pylike_eval_test.cc) and
 * driver-shaped ones. Each fits Blender's 256-byte expression field.
 */
export const DRIVER_VARIABLES = ['x', '_x', 'x_1'];

export const SIMPLE_EXPRESSIONS = [
  '0', '00', '1', '1.0', '1.', '1e0', '1.e+1', '.5', 'pi', 'True', 'False', 'sqrt(4)', 'sqrt(x)', 'fmod(3.5, 2)', 'pow(4, x)',
  'log(4, 2)', 'log(x)', 'round(-0.5)', 'clamp(-0.1)', 'clamp(0.5, 0.2, 0.3)', 'lerp(-10,10,x)', 'smoothstep(-10,10,x)',
  'min(3,1,2)', 'max(x)', '+1', '-x', '- -x', '1 + -x * 3', '(1 + -2) * 3', '3 == x + 2', '1 != x', '1 < x < 3', '1 < 2 <= 2 < 3',
  'not not 2', '2 or 3 and 4', 'not 2 or 3 and 4', 'x / 2 if x < 4 else x - 2 if x < 8 else x*2 - 12', 'frame * 2', 'frame/24',
  'radians(frame) + degrees(x)', 'abs(fabs(floor(ceil(trunc(int(x))))))', 'sin(cos(tan(asin(acos(atan(atan2(x, 1)))))))', 'exp(x)',
  ' \tx\n', '_x', 'x_1',
];
export const PYTHON_EXPRESSIONS = [
  '', '0x0', '01', '0 0', '0.5e+', 'Pi', 'sqrt', 'sqrt()', 'sqrt(1,2)', 'pi()', 'max()', 'min()', '(1+2', '1 if 2', '1 if 2 else',
  '1 < 2 <', '1 +', '1 *', '1 and', '1 or', 'sqrt(1', 'fmod(1,', 'clamp(1, 2)', 'lerp(1, 2)', 'x ** 2', 'x % 2', 'x // 2',
  'bpy.context.scene.frame_current', 'var.x', 'x[0]', '"a"', 'noise.random()', 'None', 'y', 'sin(x', 'x = 1', 'x,', 'abs(x))',
  'frame if x', 'lambda: x', 'x é', '$x',
];
