import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DEFAULT_MAX_FRAMES, formatFrameList, FrameListError, MAX_FRAME, parseFrameList, rangeFrames } from './frame-list.js';

function range(first: number, last: number, step = 1): number[] {
  const out: number[] = [];
  const delta = last >= first ? step : -step;
  for (let f = first; delta > 0 ? f <= last : f >= last; f += delta) out.push(f);
  return out;
}

/** Asserts a FrameListError whose message contains every expected piece, and returns the message. */
function rejects(input: string, ...pieces: string[]): string {
  let message = '';
  assert.throws(() => parseFrameList(input), (error: unknown) => {
    assert.ok(error instanceof FrameListError, `expected a FrameListError for ${JSON.stringify(input)}, got ${String(error)}`);
    message = error.message;
    return true;
  });
  for (const piece of pieces) assert.ok(message.includes(piece), `message ${JSON.stringify(message)} should name ${JSON.stringify(piece)}`);
  assert.ok(!message.includes('\n'), 'one line');
  assert.match(message, /; [^;]+\.$/, 'says what to do, after a semicolon, in one sentence');
  return message;
}

// ── forms ──

test('a range', () => {
  assert.deepEqual(parseFrameList('1-250'), range(1, 250));
});

test('a single frame, and frame 0', () => {
  assert.deepEqual(parseFrameList('7'), [7]);
  assert.deepEqual(parseFrameList('0'), [0]);
  assert.deepEqual(parseFrameList('0-2'), [0, 1, 2]);
});

test('a range with a step keeps the first frame and stops at or before the last', () => {
  assert.deepEqual(parseFrameList('1-100x5'), range(1, 96, 5));
  assert.deepEqual(parseFrameList('1-10x3'), [1, 4, 7, 10]);
  assert.deepEqual(parseFrameList('1-10X4'), [1, 5, 9]);
  assert.deepEqual(parseFrameList('1-10x1'), range(1, 10));
  assert.deepEqual(parseFrameList('1-10x100'), [1]);
});

test('a list of frames and ranges, in the order given', () => {
  assert.deepEqual(parseFrameList('3,5-10,47'), [3, 5, 6, 7, 8, 9, 10, 47]);
  assert.deepEqual(parseFrameList('47,3,5-7'), [47, 3, 5, 6, 7]);
});

test('a range from high to low renders descending', () => {
  assert.deepEqual(parseFrameList('100-1'), range(100, 1));
  assert.deepEqual(parseFrameList('5-1'), [5, 4, 3, 2, 1]);
  assert.deepEqual(parseFrameList('100-1x2'), range(100, 2, 2));
  assert.deepEqual(parseFrameList('10-1x4'), [10, 6, 2]);
});

test('a range whose ends are equal is one frame', () => {
  assert.deepEqual(parseFrameList('5-5'), [5]);
  assert.deepEqual(parseFrameList('5-5x3'), [5]);
});

test('whitespace is allowed around every number, "-", "x" and ","', () => {
  assert.deepEqual(parseFrameList(' 1 - 10 , 20 '), [...range(1, 10), 20]);
  assert.deepEqual(parseFrameList('\t1-100 x 5\n'), range(1, 96, 5));
  assert.deepEqual(parseFrameList('3 ,\n 5-7 ,47'), [3, 5, 6, 7, 47]);
});

test('leading zeros are read as plain numbers', () => {
  assert.deepEqual(parseFrameList('001-003'), [1, 2, 3]);
});

test('a frame named twice is rendered once, at its first place', () => {
  assert.deepEqual(parseFrameList('1-5,3-7'), [1, 2, 3, 4, 5, 6, 7]);
  assert.deepEqual(parseFrameList('9,1-3,9,2'), [9, 1, 2, 3]);
  assert.deepEqual(parseFrameList('5-1,1-5'), [5, 4, 3, 2, 1]);
});

test('frames up to Blender\'s MAXFRAME are accepted', () => {
  assert.deepEqual(parseFrameList(`${MAX_FRAME}`), [MAX_FRAME]);
  assert.deepEqual(parseFrameList(`${MAX_FRAME - 2}-${MAX_FRAME}`), [MAX_FRAME - 2, MAX_FRAME - 1, MAX_FRAME]);
});

test('a list exactly at the limit is accepted', () => {
  assert.equal(parseFrameList('1-10', { maxFrames: 10 }).length, 10);
  assert.equal(parseFrameList(`1-${DEFAULT_MAX_FRAMES}`).length, DEFAULT_MAX_FRAMES);
});

// ── errors ──

test('the example from the docs: "1-x"', () => {
  assert.equal(
    rejects('1-x'),
    'Frame list "1-x": "x" is not a frame number; use lists like 1-250, 1-100x5 or 3,5-10,47.',
  );
});

test('words and decimals are not frame numbers', () => {
  rejects('abc', '"abc" is not a frame number', '1-250');
  rejects('1.5', '"1.5" is not a frame number');
  rejects('1-10,2O', '"2O" is not a frame number');
  rejects('+5', '"+5" is not a frame number');
  rejects('1 0', '"1 0" is not a frame number');
  rejects('x5', '"x5" is not a frame number');
  rejects('1-x5', '"x5" is not a frame number');
});

test('an empty list', () => {
  assert.equal(rejects(''), 'The frame list is empty; use lists like 1-250, 1-100x5 or 3,5-10,47.');
  rejects('   \n', 'empty');
});

test('an empty entry between commas', () => {
  rejects('1,,5', 'Frame list "1,,5"', 'empty entry', 'remove the extra comma');
  rejects('1-5,', 'empty entry');
  rejects(',3', 'empty entry');
  rejects(' , ', 'empty entry');
});

test('a range missing a frame', () => {
  rejects('1-', '"1-" is missing its last frame', '1-250');
  rejects('1 - ,5', '"1 -" is missing its last frame');
});

test('a range with more than one "-"', () => {
  rejects('1-5-9', '"1-5-9" has more than one "-"', 'first-last');
});

test('negative frames are refused, saying frames start at 0', () => {
  rejects('-5', '"-5" is a negative frame', 'frames start at 0');
  rejects('-10--5', '"-10" is a negative frame', 'frames start at 0');
  rejects('1--5', '"-5" is a negative frame');
  rejects('3, - 7', '"-7" is a negative frame');
});

test('a step of 0', () => {
  rejects('1-10x0', '"1-10x0" has a step of 0', 'must be 1 or more', '1-100x5');
});

test('a negative step points at writing the range backwards', () => {
  rejects('1-10x-2', '"1-10x-2" has a negative step', '100-1x2');
});

test('a step that is missing or not a number', () => {
  rejects('1-10x', '"1-10x" is missing its step');
  rejects('1-10xa', '"1-10xa" has "a" as its step', 'not a whole number');
  rejects('1-10x1.5', '"1.5" as its step');
});

test('a step given twice, or given to a single frame', () => {
  rejects('1-10x2x3', '"1-10x2x3" has more than one "x"');
  rejects('5x2', '"5x2" has a step but no range', '1-100x5');
});

test('frames above Blender\'s MAXFRAME are refused', () => {
  rejects(`${MAX_FRAME - 1}-${MAX_FRAME + 1}`, `frame ${MAX_FRAME + 1}`, 'above Blender\'s last frame', `0 to ${MAX_FRAME}`);
  rejects(`2000000-1999999`, 'frame 2000000', '"2000000-1999999"');
  rejects('99999999999999999999999', 'frame 99999999999999999999999', 'above Blender\'s last frame');
});

test('a huge range is refused from arithmetic alone, at once', () => {
  const started = performance.now();
  const message = rejects('1-1000000000');
  assert.equal(message, 'Frame list "1-1000000000" would be 1,000,000,000 frames, more than the limit of 1,000,000; render a smaller range.');
  assert.ok(performance.now() - started < 2000, 'no billion-element array (that takes many seconds, or runs out of memory)');
});

test('the limit counts every entry, and can be changed', () => {
  rejects('1-600000,600001-1000001', 'would be 1,000,001 frames', 'limit of 1,000,000');
  assert.throws(() => parseFrameList('1-11', { maxFrames: 10 }), /would be 11 frames, more than the limit of 10;/);
  assert.throws(() => parseFrameList('1-20x2,1-20x2', { maxFrames: 10 }), /would be 20 frames/);
});

test('a thousand full-size ranges are refused without listing them', () => {
  const input = Array.from({ length: 1000 }, () => `0-${MAX_FRAME}`).join(',');
  const started = performance.now();
  assert.throws(() => parseFrameList(input), /would be 1,048,575,000 frames/);
  assert.ok(performance.now() - started < 2000, 'refused from arithmetic, not by listing a billion frames');
});

test('a long list is cut short in the message', () => {
  const input = `${Array.from({ length: 100 }, (_, i) => i * 2).join(',')},oops`;
  const message = rejects(input, '"oops" is not a frame number', '…"');
  assert.ok(message.length < 200);
});

test('a bad maxFrames is a programming error, not a FrameListError', () => {
  assert.throws(() => parseFrameList('1', { maxFrames: 0 }), RangeError);
  assert.throws(() => parseFrameList('1', { maxFrames: 1.5 }), RangeError);
});

// ── formatFrameList ──

test('format: runs of 3 or more become ranges, shorter runs stay single', () => {
  assert.equal(formatFrameList([1, 2, 3, 4, 9, 20, 21, 22]), '1-4,9,20-22');
  assert.equal(formatFrameList([9, 10, 20, 21]), '9,10,20,21');
  assert.equal(formatFrameList([1, 2, 3]), '1-3');
  assert.equal(formatFrameList([5]), '5');
  assert.equal(formatFrameList([]), '');
});

test('format: equal steps of 3 or more become xN', () => {
  assert.equal(formatFrameList([1, 3, 5, 7, 9]), '1-9x2');
  assert.equal(formatFrameList([1, 6, 11]), '1-11x5');
  assert.equal(formatFrameList([1, 3]), '1,3');
  assert.equal(formatFrameList([1, 2, 4, 6, 8]), '1,2-8x2');
  assert.equal(formatFrameList([1, 3, 5, 6, 7, 8]), '1-5x2,6-8');
});

test('format: descending runs stay descending', () => {
  assert.equal(formatFrameList([100, 99, 98, 97]), '100-97');
  assert.equal(formatFrameList([100, 98, 96]), '100-96x2');
  assert.equal(formatFrameList([3, 2, 1, 2, 3]), '3-1,2,3');
});

test('format: repeated frames are not a run', () => {
  assert.equal(formatFrameList([4, 4, 4]), '4,4,4');
});

test('format then parse gives the frames back', () => {
  const lists = [
    parseFrameList('1-250'),
    parseFrameList('1-100x5,3,200-150x7,47'),
    parseFrameList('9,10,20,21,1,3,5,6'),
  ];
  let seed = 7;
  const random = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
  for (let n = 0; n < 200; n++) {
    const frames = new Set<number>();
    const size = 1 + Math.floor(random() * 30);
    while (frames.size < size) frames.add(Math.floor(random() * 40));
    lists.push([...frames]);
  }
  for (const frames of lists) assert.deepEqual(parseFrameList(formatFrameList(frames)), frames, formatFrameList(frames));
});

test('a scene\'s own range gives the frames and the refusals its written-out list would', () => {
  assert.deepEqual(rangeFrames(1, 10, 3), parseFrameList('1-10x3'));
  assert.deepEqual(rangeFrames(1, 250, 1), parseFrameList('1-250'));
  assert.deepEqual(rangeFrames(7, 7, 0), [7], 'a step below 1 is a step of 1');
  assert.throws(() => rangeFrames(-5, 10, 1), (e: unknown) => e instanceof FrameListError
    && e.message === 'Frame list "-5-10": "-5" is a negative frame, but frames start at 0 and "-" only joins a range; use lists like 1-250, 1-100x5 or 3,5-10,47.');
  assert.throws(() => rangeFrames(MAX_FRAME - 1, MAX_FRAME + 1, 1), (e: unknown) => e instanceof FrameListError
    && e.message === 'Frame list "1048573-1048575": frame 1048575 in "1048573-1048575" is above Blender\'s last frame, 1048574; use frames from 0 to 1048574.');
});
