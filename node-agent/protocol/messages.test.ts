import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseMessage } from './messages.js';

const sha = 'a'.repeat(64);

test('valid messages parse', () => {
  const r = parseMessage(JSON.stringify({ type: 'task.cancel', taskId: 'j1.0', attempt: 2 }), 1e6);
  assert.deepEqual(r, { ok: true, message: { type: 'task.cancel', taskId: 'j1.0', attempt: 2 } });
  const assign = parseMessage(JSON.stringify({
    type: 'task.assign', taskId: 'j1.3', attempt: 1, jobId: 'j1', timeoutMs: 1000,
    inputs: [{ sha256: sha, size: 10, name: 'scene.blend' }],
    spec: { type: 'blender', frames: [1, 2, 3], outputName: 'scene', format: 'PNG' },
  }), 1e6);
  assert.equal(assign.ok, true);
});

test('malformed, unknown and oversized messages are errors that say what is wrong', () => {
  assert.deepEqual(parseMessage('{nope', 1e6), { ok: false, error: 'message is not valid JSON' });
  const unknown = parseMessage(JSON.stringify({ type: 'task.explode' }), 1e6);
  assert.equal(unknown.ok, false);
  assert.match((unknown as { error: string }).error, /task\.explode/);
  const badField = parseMessage(JSON.stringify({ type: 'task.cancel', taskId: '../../etc', attempt: 1 }), 1e6);
  assert.equal(badField.ok, false);
  assert.match((badField as { error: string }).error, /taskId/);
  const badAttempt = parseMessage(JSON.stringify({ type: 'task.cancel', taskId: 'a', attempt: -1 }), 1e6);
  assert.equal(badAttempt.ok, false);
  const big = parseMessage(JSON.stringify({ type: 'task.log', taskId: 'a', attempt: 1, lines: ['x'.repeat(5000)] }), 1000);
  assert.match((big as { error: string }).error, /exceeds the 1000-byte limit/);
  const badSpec = parseMessage(JSON.stringify({
    type: 'task.assign', taskId: 'a', attempt: 1, jobId: 'j', timeoutMs: 1000, inputs: [],
    spec: { type: 'blender', frames: [1], outputName: '../../x', format: 'PNG' },
  }), 1e6);
  assert.equal(badSpec.ok, false, 'an output name with a path is refused at the schema');
  assert.equal(parseMessage(JSON.stringify({ type: 'task.assign', taskId: 'a', attempt: 1, jobId: 'j', timeoutMs: 1000, inputs: [], spec: { type: 'shell', cmd: 'rm -rf /' } }), 1e6).ok, false);
});
