import assert from 'node:assert/strict';
import { test } from 'node:test';
import { acceptedAsIs } from './fast-validate.js';
import { MessageSchema, parseMessage, TaskSpecSchema } from './messages.js';

const sha = 'ab'.repeat(32);
const checkSpec = (spec: unknown) => {
  const r = TaskSpecSchema.safeParse(spec);
  return r.success ? r.data : undefined;
};

const valid: Record<string, unknown>[] = [
  { type: 'output.ack', taskId: 'j1.0', attempt: 1 },
  { type: 'task.done', taskId: 'jm0abc:7', attempt: 1000, outputs: [], elapsedMs: 0 },
  { type: 'task.done', taskId: 'j', attempt: 2, outputs: [{ sha256: sha, size: 0, name: 'f_0001.png' }, { sha256: sha, size: 12, name: 'x' }], elapsedMs: 1.5 },
  { type: 'task.progress', taskId: 'j.1', attempt: 1, fraction: 0 },
  { type: 'task.progress', taskId: 'j.1', attempt: 1, fraction: 1, framesDone: 3, currentFrame: -2, message: 'Rendering' },
  { type: 'task.progress', taskId: 'j.1', attempt: 1, fraction: 0.5, framesDone: 1, startupMs: 2140 },
  { type: 'task.assign', taskId: 'j.1', attempt: 1, jobId: 'j', inputs: [], spec: { type: 'noop' }, timeoutMs: 600_000 },
  { type: 'task.assign', taskId: 'j.1', attempt: 3, jobId: 'j', inputs: [{ sha256: sha, size: 10, name: 'scene.blend' }], spec: { type: 'blender', frames: [1, 2], outputName: 'scene', format: 'PNG' }, timeoutMs: 1, keepOutputs: true },
];

/** Ways to break (or merely change) a field: each variant is checked against the schema. */
const badValues: unknown[] = [
  undefined, null, '', 'x'.repeat(129), '../etc', 'a b', 0, -1, 1.5, 1001, 2 ** 53, Number.MAX_SAFE_INTEGER, -0.0001, 1.0001,
  Infinity, -Infinity, NaN, true, [], {}, [{}], 'x'.repeat(501), 'A'.repeat(64), sha.toUpperCase(),
  [{ sha256: sha, size: -1, name: 'a' }], [{ sha256: sha, size: 1, name: '' }], [{ sha256: sha, size: 1, name: 'n'.repeat(256) }],
  [{ sha256: sha, size: 1, name: 'a', extra: 1 }], [{ sha256: 'nothex', size: 1, name: 'a' }], [{ sha256: sha, size: 1.5, name: 'a' }],
  { type: 'noop', extra: true }, { type: 'shell' }, { type: 'noop', durationMs: -1 }, 7 * 24 * 3600 * 1000 + 1,
];

function variants(message: Record<string, unknown>): unknown[] {
  const out: unknown[] = [];
  for (const key of Object.keys(message)) {
    const { [key]: _removed, ...without } = message;
    out.push(without);
    for (const value of badValues) out.push({ ...message, [key]: value });
  }
  out.push({ ...message, unexpected: 1 }, [message], null, 'text', 42);
  for (const key of ['framesDone', 'currentFrame', 'message', 'keepOutputs', 'fraction', 'startupMs']) for (const value of badValues) out.push({ ...message, [key]: value });
  return out;
}

test('the hot messages of every task are accepted without the full schema', () => {
  for (const message of valid) assert.equal(acceptedAsIs(structuredClone(message), checkSpec), true, JSON.stringify(message));
});

test('whatever the hand-written check accepts, the schema accepts unchanged', () => {
  let accepted = 0;
  let checked = 0;
  for (const message of valid) {
    for (const variant of [message, ...variants(message)]) {
      // JSON round trip, as on the wire (undefined keys vanish; NaN and Infinity become null).
      const onWire = variant === undefined ? undefined : JSON.parse(JSON.stringify(variant) ?? 'null');
      for (const candidate of [variant, onWire]) {
        checked++;
        const copy = candidate === undefined ? undefined : structuredClone(candidate);
        if (!acceptedAsIs(copy, checkSpec)) continue;
        accepted++;
        const schema = MessageSchema.safeParse(candidate);
        assert.equal(schema.success, true, `accepted by the fast check but refused by the schema: ${String(JSON.stringify(candidate))}`);
        assert.deepEqual(copy, schema.data, `the schema would have changed ${JSON.stringify(candidate)}`);
      }
    }
  }
  assert.ok(accepted > valid.length && checked > 1000, `${accepted} of ${checked} variants accepted`);
});

test('parseMessage gives the same answer either way', () => {
  for (const message of valid) assert.deepEqual(parseMessage(JSON.stringify(message), 1e6), { ok: true, message: MessageSchema.parse(message) });
  const refused = parseMessage(JSON.stringify({ type: 'task.done', taskId: 'a', attempt: 1, outputs: [], elapsedMs: -1 }), 1e6);
  assert.equal(refused.ok, false);
  assert.match((refused as { error: string }).error, /"task\.done" message at elapsedMs/);
  const stripped = parseMessage(JSON.stringify({ type: 'output.ack', taskId: 'a', attempt: 1, extra: 'x' }), 1e6);
  assert.deepEqual(stripped, { ok: true, message: { type: 'output.ack', taskId: 'a', attempt: 1 } }, 'unknown keys are still stripped by the schema');
  assert.equal(parseMessage('{"type":"task.done","taskId":"a","attempt":1,"outputs":[],"elapsedMs":1e400}', 1e6).ok, false, 'Infinity from JSON is refused');
});
