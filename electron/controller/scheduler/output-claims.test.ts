import assert from 'node:assert/strict';
import { test } from 'node:test';
import { newTask } from '../jobs/new-job.js';
import { judgeOfferedOutput, judgeReportedOutputs, listNames } from './output-claims.js';

const sha = (c: string) => c.repeat(64);
const render = () => ({ ...newTask('j1', 1, 'frames 3-4', { type: 'blender', frames: [3, 4], outputName: 'scene', format: 'PNG' }, []), attempt: 1 });
const ref = (name: string, size = 100, sha256 = sha('a')) => ({ name, size, sha256 });

test('a task.done with every frame, within the limit, holds', () => {
  assert.equal(judgeReportedOutputs('hal', render(), [ref('scene_0003.png'), ref('scene_0004.png')]), null);
});

test('T: done with no outputs, the wrong frames, or a path > not accepted, naming the files', () => {
  assert.equal(judgeReportedOutputs('hal', render(), []),
    'Agent hal reported task frames 3-4 done without scene_0003.png, scene_0004.png, so its result was not accepted.');
  assert.equal(judgeReportedOutputs('hal', render(), [ref('scene_0003.png'), ref('scene_0005.png')]),
    'Agent hal reported task frames 3-4 done without scene_0004.png and with scene_0005.png, which the task does not make, so its result was not accepted.');
  assert.equal(judgeReportedOutputs('hal', render(), [ref('scene_0003.png'), ref('scene_0004.png'), ref('../../etc/x\n.png')]),
    'Agent hal reported task frames 3-4 done with "../../etc/x\\n.png", which the task does not make, so its result was not accepted.');
});

test('T: done with a frame announced at 60 GiB > not accepted, naming the size and the limit', () => {
  assert.equal(judgeReportedOutputs('hal', render(), [ref('scene_0003.png'), ref('scene_0004.png', 60 * 1024 ** 3)]),
    'Agent hal reported scene_0004.png of task frames 3-4 at 60 GiB, more than the 8 GiB an output of a blender task may have, so its result was not accepted.');
  const noop = { ...newTask('j1', 0, 'noop 1', { type: 'noop', outputBytes: 1000 }, []), attempt: 2 };
  assert.equal(judgeReportedOutputs('hal', noop, [ref('j1.0__2.bin', 1000)]), null);
  assert.match(judgeReportedOutputs('hal', noop, [ref('j1.0__2.bin', 1001)]) ?? '', /at 1001 bytes, more than the 1000 bytes an output of a noop task may have/);
});

test('a live frame must be one of the task\'s, within the limit', () => {
  const task = render();
  assert.equal(judgeOfferedOutput('hal', task, ref('scene_0004.png'), true), null);
  assert.equal(judgeOfferedOutput('hal', task, ref('scene_0001.png'), true),
    'Agent hal sent scene_0001.png for task frames 3-4, which the task does not make, so its result was not accepted.');
  assert.equal(judgeOfferedOutput('hal', task, ref('scene_0003.png', 60 * 1024 ** 3), true),
    'Agent hal announced scene_0003.png of task frames 3-4 at 60 GiB, more than the 8 GiB an output of a blender task may have, so its result was not accepted.');
});

test('after the task\'s end, a file must be one its accepted report listed, with that size and hash', () => {
  const task = render();
  task.outputs = [ref('scene_0003.png'), ref('scene_0004.png')];
  assert.equal(judgeOfferedOutput('hal', task, ref('scene_0004.png'), false), null);
  for (const offered of [ref('scene_0004.png', 101), ref('scene_0004.png', 100, sha('b')), ref('scene_0005.png')]) {
    assert.equal(judgeOfferedOutput('hal', task, offered, false),
      `Agent hal sent ${offered.name} for task frames 3-4, which its report of the task did not list with that size and hash, so its result was not accepted.`);
  }
});

test('long lists are cut: a chunk may miss thousands of frames', () => {
  assert.equal(listNames(['a', 'b', 'c', 'd', 'e', 'f', 'g']), 'a, b, c, d, e and 2 more');
  assert.equal(listNames(['x'.repeat(120)]), JSON.stringify(`${'x'.repeat(60)}…`));
});
