/**
 * Whether Blender evaluates a scripted driver's expression without Python: a port of the parser
 * of its "simple expression" evaluator (blenlib expr_pylike_eval, used by
 * BKE_driver_has_simple_expression in fcurve_driver.cc), so a driver this accepts renders right
 * even with `--disable-autoexec`, and any other needs Python (trusted scripts). Only whether it
 * parses matters: Blender tries this evaluator first and falls back to Python only when the
 * expression does not parse (a math error at run time does not fall back).
 *
 * The language, exactly as Blender's parser takes it (same in 2.8x through 4.x and 5.0):
 * - numbers: `12`, `1.5`, `.5`, `1e-3` (a C-style octal such as `012` is refused);
 * - the parameters: `frame`, then the driver's variables by name (a variable hides a constant
 *   or function of the same name);
 * - constants `pi`, `True`, `False`;
 * - functions: radians degrees abs fabs floor ceil trunc round int sin cos tan asin acos atan
 *   exp sqrt (one argument), atan2 pow fmod (two), log (one or two), clamp (one or three),
 *   lerp smoothstep (three), min max (one or more);
 * - `+ - * /` and unary `+ -`, comparisons `== != < <= > >=` (chained, as in Python), `not`,
 *   `and`, `or`, `A if C else B`, parentheses.
 * Not `**`, `%`, `//`, attribute access, indexing, strings, or any other name: those need Python.
 */

const FUNCTIONS: ReadonlyMap<string, readonly number[]> = new Map<string, readonly number[]>([
  ...['radians', 'degrees', 'abs', 'fabs', 'floor', 'ceil', 'trunc', 'round', 'int', 'sin', 'cos', 'tan', 'asin', 'acos', 'atan', 'exp', 'sqrt'].map(
    (n): [string, readonly number[]] => [n, [1]],
  ),
  ['atan2', [2]], ['pow', [2]], ['fmod', [2]], ['log', [1, 2]],
  ['lerp', [3]], ['clamp', [1, 3]], ['smoothstep', [3]],
]);
const CONSTANTS = new Set(['pi', 'True', 'False']);
const KEYWORDS = new Set(['and', 'or', 'not', 'if', 'else']);
/** Single characters the tokenizer returns as tokens (most then fail in the parser, as in Blender). */
const TOKEN_CHARACTERS = "~`!@#$%^&*+-=/\\?:;<>(){}[]|.,\"'";
const COMPARISONS = new Set(['==', '!=', '<', '<=', '>', '>=']);
/** Blender's expression field is 256 bytes; a longer one is not a driver expression. */
const MAX_EXPRESSION_LENGTH = 4096;

type Token = { kind: 'end' } | { kind: 'number' } | { kind: 'id'; name: string } | { kind: 'keyword'; name: string } | { kind: 'op'; text: string };

class NotSimple extends Error {}

/** True when Blender's simple evaluator parses `expression` with these driver variable names. */
export function isSimpleDriverExpression(expression: string, variableNames: readonly string[]): boolean {
  if (expression.length > MAX_EXPRESSION_LENGTH) return false;
  const params = new Set(['frame', ...variableNames]);
  let at = 0;
  let token: Token = { kind: 'end' };

  const isSpace = (c: string | undefined) => c !== undefined && ' \t\n\v\f\r'.includes(c);
  const isDigit = (c: string | undefined) => c !== undefined && c >= '0' && c <= '9';
  const isAlpha = (c: string | undefined) => c !== undefined && ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'));

  const next = (): void => {
    while (isSpace(expression[at])) at++;
    const c = expression[at];
    if (c === undefined) {
      token = { kind: 'end' };
      return;
    }
    if (isDigit(c) || (c === '.' && isDigit(expression[at + 1]))) {
      const start = at;
      let isFloat = false;
      while (isDigit(expression[at])) at++;
      if (expression[at] === '.') {
        isFloat = true;
        at++;
        while (isDigit(expression[at])) at++;
      }
      if (expression[at] === 'e' || expression[at] === 'E') {
        isFloat = true;
        at++;
        if (expression[at] === '+' || expression[at] === '-') at++;
        if (!isDigit(expression[at])) throw new NotSimple();
        while (isDigit(expression[at])) at++;
      }
      const text = expression.slice(start, at);
      if (!isFloat && text[0] === '0' && /[1-9]/.test(text)) throw new NotSimple(); // C-style octal
      token = { kind: 'number' };
      return;
    }
    if (expression[at + 1] === '=' && '!=><'.includes(c)) {
      token = { kind: 'op', text: c + '=' };
      at += 2;
      return;
    }
    if (TOKEN_CHARACTERS.includes(c)) {
      token = { kind: 'op', text: c };
      at++;
      return;
    }
    if (isAlpha(c) || c === '_') {
      const start = at;
      while (isAlpha(expression[at]) || isDigit(expression[at]) || expression[at] === '_') at++;
      const name = expression.slice(start, at);
      token = KEYWORDS.has(name) ? { kind: 'keyword', name } : { kind: 'id', name };
      return;
    }
    throw new NotSimple();
  };
  const isOp = (text: string) => token.kind === 'op' && token.text === text;
  const isKeyword = (name: string) => token.kind === 'keyword' && token.name === name;
  const expect = (ok: boolean) => {
    if (!ok) throw new NotSimple();
  };

  /** `(a, b, …)` after a function name: the argument count. */
  const args = (): number => {
    next();
    expect(isOp('('));
    next();
    let count = 0;
    for (;;) {
      expr();
      count++;
      if (isOp(',')) next();
      else if (isOp(')')) {
        next();
        return count;
      } else throw new NotSimple();
    }
  };
  const unary = (): void => {
    if (isOp('+') || isOp('-')) {
      next();
      unary();
      return;
    }
    if (isOp('(')) {
      next();
      expr();
      expect(isOp(')'));
      next();
      return;
    }
    if (token.kind === 'number') {
      next();
      return;
    }
    if (token.kind !== 'id') throw new NotSimple();
    const name = token.name;
    if (params.has(name) || CONSTANTS.has(name)) {
      next();
      return;
    }
    const counts = FUNCTIONS.get(name);
    if (counts) {
      expect(counts.includes(args()));
      return;
    }
    if (name === 'min' || name === 'max') {
      expect(args() > 0);
      return;
    }
    throw new NotSimple();
  };
  const mul = (): void => {
    unary();
    while (isOp('*') || isOp('/')) {
      next();
      unary();
    }
  };
  const add = (): void => {
    mul();
    while (isOp('+') || isOp('-')) {
      next();
      mul();
    }
  };
  const cmp = (): void => {
    add();
    while (token.kind === 'op' && COMPARISONS.has(token.text)) {
      next();
      add();
    }
  };
  const not = (): void => {
    if (isKeyword('not')) {
      next();
      not();
      return;
    }
    cmp();
  };
  const and = (): void => {
    not();
    if (isKeyword('and')) {
      next();
      and();
    }
  };
  const or = (): void => {
    and();
    if (isKeyword('or')) {
      next();
      or();
    }
  };
  function expr(): void {
    or();
    if (isKeyword('if')) {
      next();
      or();
      expect(isKeyword('else'));
      next();
      expr();
    }
  }

  try {
    next();
    expr();
    return token.kind === 'end';
  } catch (error) {
    if (error instanceof NotSimple || error instanceof RangeError) return false; // RangeError: nesting too deep for the stack
    throw error;
  }
}
