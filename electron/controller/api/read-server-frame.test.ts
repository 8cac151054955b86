import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ServerFrameSchema } from './api-wire.js';
import { readServerFrame } from './read-server-frame.js';

// The client reads server frames without zod (so the browser bundle has none); it must take
// and refuse exactly what the wire's schema does, and read the same values.

const long = (n: number) => 'x'.repeat(n);
const FRAMES: unknown[] = [
  { type: 'auth.ok', serverVersion: '0.1.0' },
  { type: 'auth.ok', serverVersion: 1 },
  { type: 'auth.ok' },
  { type: 'auth.refused', reason: 'wrong token' },
  { type: 'auth.refused', reason: null },
  { type: 'response', id: 1, ok: true, result: { jobId: 'j1' } },
  { type: 'response', id: 'a-string-id', ok: true },
  { type: 'response', id: long(64), ok: true, result: [1, 2] },
  { type: 'response', id: long(65), ok: true, result: 1 },
  { type: 'response', id: -1, ok: true, result: 1 },
  { type: 'response', id: 1.5, ok: true, result: 1 },
  { type: 'response', id: Number.MAX_SAFE_INTEGER + 2, ok: true, result: 1 },
  { type: 'response', id: 2, ok: 'yes', result: 1 },
  { type: 'response', id: 3, ok: false, error: { code: 'not-found', message: 'No job j9; list them with farmhand jobs.' } },
  { type: 'response', id: 3, ok: false },
  { type: 'response', id: 3, ok: false, error: { code: long(65), message: 'm' } },
  { type: 'response', id: 3, ok: false, error: { code: 'internal', message: long(2000) } },
  { type: 'response', id: 3, ok: false, error: { code: 'internal', message: long(2001) } },
  { type: 'response', id: 3, ok: false, error: 'internal' },
  { type: 'response', ok: true, result: 1 },
  { type: 'events', events: [{ kind: 'job', job: { id: 'j1' } }, { kind: 'notice', level: 'info', text: 'hi' }] },
  { type: 'events', events: [] },
  { type: 'events', events: [{ job: {} }] },
  { type: 'events', events: [[]] },
  { type: 'events', events: {} },
  { type: 'error', error: { code: 'invalid-params', message: 'The frame is not JSON.' } },
  { type: 'error', error: { code: 'invalid-params' } },
  { type: 'hello' },
  [{ type: 'auth.ok', serverVersion: '1' }],
  null,
  42,
];

test('the client takes and refuses exactly the frames the wire schema does, and reads the same values', () => {
  for (const frame of FRAMES) {
    const schema = ServerFrameSchema.safeParse(frame);
    const read = readServerFrame(JSON.stringify(frame));
    assert.equal(read !== null, schema.success, `frame ${JSON.stringify(frame).slice(0, 120)}`);
    if (schema.success) assert.deepEqual(JSON.parse(JSON.stringify(read)), JSON.parse(JSON.stringify(schema.data)));
  }
  assert.equal(FRAMES.filter((f) => ServerFrameSchema.safeParse(f).success).length, 10, 'the cases cover both answers');
});

test('what is not a JSON text is no frame', () => {
  assert.equal(readServerFrame('{"type":"auth.ok",'), null);
  assert.equal(readServerFrame(Buffer.from('{"type":"auth.ok","serverVersion":"1"}')), null);
  assert.equal(readServerFrame(undefined), null);
});
