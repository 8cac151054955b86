import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { JobFrame, TaskView } from '../../electron/controller/api/contract.js';
import { frameCell, needsThumbnail, type FrameThumb } from '../../renderer/src/model/frame-cells.js';

// The frame grid's decisions that need no browser: what a cell shows, and when a thumbnail
// is (and is not) asked for again.

function task(over: Partial<TaskView> = {}): TaskView {
  return { id: 't1', jobId: 'j', index: 0, label: 'frames 7', type: 'blender', state: 'queued', attempt: 0, failures: 0, agentId: null, progress: 0, outputs: [], error: null, startedAt: null, endedAt: null, ...over };
}
const frame: JobFrame = { frame: 7, taskId: 't1', taskIndex: 0, rendered: false };
const succeeded = task({ state: 'succeeded', attempt: 1, startedAt: 1, endedAt: 2000 });

describe('frame grid cells', () => {
  test('a frame not rendered is a placeholder with its task\'s state in words, and is not asked for', () => {
    assert.deepEqual(frameCell(frame, task(), undefined), { kind: 'waiting', frame: 7, status: 'queued' });
    assert.deepEqual(frameCell(frame, task({ state: 'running', progress: 0.4 }), undefined), { kind: 'waiting', frame: 7, status: 'running 40%' });
    assert.deepEqual(frameCell(frame, task({ state: 'failed' }), undefined), { kind: 'waiting', frame: 7, status: 'failed' });
    assert.equal(needsThumbnail(frame, task({ state: 'running' }), undefined), false);
  });

  test('a succeeded task (event) or an arrived file (frames.list) makes the frame wanted until its picture comes', () => {
    assert.equal(needsThumbnail(frame, succeeded, undefined), true);
    assert.equal(needsThumbnail({ ...frame, rendered: true }, task({ state: 'running' }), undefined), true);
    assert.deepEqual(frameCell(frame, succeeded, undefined), { kind: 'loading', frame: 7 });
    const got: FrameThumb = { image: 'data:image/jpeg;base64,AA==', problem: null, stamp: 2000 };
    assert.deepEqual(frameCell(frame, succeeded, got), { kind: 'image', frame: 7, image: got.image });
    assert.equal(needsThumbnail(frame, succeeded, got), false);
  });

  test('a problem is shown and not asked about again until the task ends anew', () => {
    const refused: FrameThumb = { image: null, problem: 'ffmpeg could not make a thumbnail of shot_0007.png (…)', stamp: 2000 };
    assert.deepEqual(frameCell(frame, succeeded, refused), { kind: 'problem', frame: 7, message: refused.problem });
    assert.equal(needsThumbnail(frame, succeeded, refused), false);
    assert.equal(needsThumbnail(frame, { ...succeeded, endedAt: 9000 }, refused), true, 'rendered again: ask again');
  });
});
