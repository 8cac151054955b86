import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { blenderFrameList, buildBlenderArgv, expectedOutputFiles, padFrame } from './blender-argv.js';

// Every argv shape below was run once against Blender 3.4.1 and wrote exactly the files
// expectedOutputFiles names (negative frames, frames > 9999, -j, TGA, a scene with step 2).

const base = { scenePath: '/farm/in/scene.blend', outputDir: '/farm/work/t1', outputName: 'shot', format: 'PNG' };
const head = ['-b', '/farm/in/scene.blend', '-noaudio', '--factory-startup', '--disable-autoexec'];

describe('buildBlenderArgv', () => {
  test('a contiguous run renders as -s -e -j 1 -a, after engine, output, format and threads', () => {
    assert.deepEqual(buildBlenderArgv({ ...base, frames: [1, 2, 3, 4], engine: 'CYCLES', threads: 2 }), [
      ...head, '-E', 'CYCLES', '-o', '/farm/work/t1/shot_####', '-F', 'PNG', '-x', '1', '-t', '2',
      '-s', '1', '-e', '4', '-j', '1', '-a',
    ]);
  });

  test('without engine and threads those flags are left out', () => {
    assert.deepEqual(buildBlenderArgv({ ...base, frames: [10, 11] }), [
      ...head, '-o', '/farm/work/t1/shot_####', '-F', 'PNG', '-x', '1', '-s', '10', '-e', '11', '-j', '1', '-a',
    ]);
  });

  test("runScripts (a trusting job on an --allow-scripts agent) passes -y in --disable-autoexec's place", () => {
    const argv = buildBlenderArgv({ ...base, frames: [1], runScripts: true });
    assert.deepEqual(argv.slice(0, 5), ['-b', '/farm/in/scene.blend', '-noaudio', '--factory-startup', '-y']);
    assert.ok(!argv.includes('--disable-autoexec'));
    assert.deepEqual(buildBlenderArgv({ ...base, frames: [1], runScripts: false }).slice(0, 5), head);
  });

  test('threads 0 (Blender: all cores) is still passed', () => {
    assert.deepEqual(buildBlenderArgv({ ...base, frames: [1], threads: 0 }).slice(-9, -7), ['-t', '0']);
  });

  test('a constant step k > 1 renders with -j k', () => {
    assert.deepEqual(buildBlenderArgv({ ...base, frames: [1, 4, 7, 10] }).slice(-7), ['-s', '1', '-e', '10', '-j', '3', '-a']);
  });

  test('one frame is a range of one', () => {
    assert.deepEqual(buildBlenderArgv({ ...base, frames: [12] }).slice(-7), ['-s', '12', '-e', '12', '-j', '1', '-a']);
  });

  test('an irregular list becomes -f with a..b runs', () => {
    assert.deepEqual(buildBlenderArgv({ ...base, frames: [3, 5, 6, 7, 8, 9, 10, 47] }).slice(-2), ['-f', '3,5..10,47']);
  });

  test('a descending list keeps its order', () => {
    assert.deepEqual(buildBlenderArgv({ ...base, frames: [7, 2, 5] }).slice(-2), ['-f', '7,2,5']);
  });

  test('negative frames are set from 0, since Blender reads "-s -3" as "3 before the current start"', () => {
    assert.deepEqual(buildBlenderArgv({ ...base, frames: [-3, -2, -1, 0, 1] }).slice(-9), ['-s', '0', '-s', '-3', '-e', '1', '-j', '1', '-a']);
    assert.deepEqual(buildBlenderArgv({ ...base, frames: [-4, -2, 0, 2] }).slice(-9), ['-s', '0', '-s', '-4', '-e', '2', '-j', '2', '-a']);
  });

  test('an irregular list with negative frames renders one range per run, since "-f -3" counts from the end', () => {
    const argv = buildBlenderArgv({ ...base, frames: [-5, -3, -2, 4] });
    assert.deepEqual(argv.slice(argv.indexOf('-x') + 2), [
      '-s', '0', '-s', '-5', '-e', '0', '-e', '-5', '-j', '1', '-a',
      '-s', '0', '-s', '-3', '-e', '0', '-e', '-2', '-j', '1', '-a',
      '-s', '4', '-e', '4', '-j', '1', '-a',
    ]);
  });

  test('Targa is TGA on Blender\'s command line', () => {
    const argv = buildBlenderArgv({ ...base, format: 'TARGA', frames: [1] });
    assert.equal(argv[argv.indexOf('-F') + 1], 'TGA');
  });

  test('relative scene and output paths become absolute', () => {
    const argv = buildBlenderArgv({ ...base, scenePath: 'scene.blend', outputDir: 'out', frames: [1] });
    assert.equal(argv[1], `${process.cwd()}/scene.blend`);
    assert.equal(argv[argv.indexOf('-o') + 1], `${process.cwd()}/out/shot_####`);
  });

  test('an unknown format, no frames or a fractional frame is refused with a sentence saying what to do', () => {
    assert.throws(() => buildBlenderArgv({ ...base, format: 'GIF', frames: [1] }), /output format "GIF" is not supported; use one of PNG/);
    assert.throws(() => buildBlenderArgv({ ...base, frames: [] }), /at least one frame/);
    assert.throws(() => buildBlenderArgv({ ...base, frames: [1.5] }), /not a whole number/);
  });
});

describe('expectedOutputFiles', () => {
  test('pads to four digits and uses each format\'s extension', () => {
    const frames = [1, 2];
    assert.deepEqual(expectedOutputFiles({ outputName: 'shot', format: 'PNG', frames }), ['shot_0001.png', 'shot_0002.png']);
    assert.deepEqual(expectedOutputFiles({ outputName: 's', format: 'JPEG', frames: [7] }), ['s_0007.jpg']);
    assert.deepEqual(expectedOutputFiles({ outputName: 's', format: 'OPEN_EXR', frames: [7] }), ['s_0007.exr']);
    assert.deepEqual(expectedOutputFiles({ outputName: 's', format: 'OPEN_EXR_MULTILAYER', frames: [7] }), ['s_0007.exr']);
    assert.deepEqual(expectedOutputFiles({ outputName: 's', format: 'TIFF', frames: [7] }), ['s_0007.tif']);
    assert.deepEqual(expectedOutputFiles({ outputName: 's', format: 'BMP', frames: [7] }), ['s_0007.bmp']);
    assert.deepEqual(expectedOutputFiles({ outputName: 's', format: 'TARGA', frames: [7] }), ['s_0007.tga']);
  });

  test('negative frames carry the sign before the padding, large frames are not cut', () => {
    assert.deepEqual(expectedOutputFiles({ outputName: 'shot.v2', format: 'PNG', frames: [-2, 0, 12345] }),
      ['shot.v2_-0002.png', 'shot.v2_0000.png', 'shot.v2_12345.png']);
  });

  test('keeps frame order and names a repeated frame once', () => {
    assert.deepEqual(expectedOutputFiles({ outputName: 's', format: 'PNG', frames: [5, 3, 5] }), ['s_0005.png', 's_0003.png']);
  });
});

test('padFrame and blenderFrameList', () => {
  assert.equal(padFrame(7), '0007');
  assert.equal(padFrame(-7), '-0007');
  assert.equal(padFrame(99999), '99999');
  assert.equal(blenderFrameList([1, 2, 3]), '1..3');
  assert.equal(blenderFrameList([3, 5, 6, 47]), '3,5..6,47');
});
