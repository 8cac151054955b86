import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { sparklinePath } from '../../renderer/src/model/sparkline-path.js';
import { createHistory, recordLevel, snapshot, utilisationLabel } from '../../renderer/src/model/utilisation-history.js';

// The nodes view's utilisation history: a bounded ring of time buckets per agent, fed by agent
// events, and what its sparkline says and draws.

const S = 1000;
const MIN = 60 * S;
const T0 = 1_000_000 * 20 * S; // on a bucket boundary

describe('utilisation history', () => {
  test('the held level fills the buckets until the next event: 2 of 4 busy for a minute, then idle, reads 50 % then falls', () => {
    const h = createHistory(T0);
    recordLevel(h, T0, 2, 4);
    const first = snapshot(h, T0 + MIN);
    assert.equal(first.share, 0.5);
    assert.equal(first.coveredMs, MIN);
    assert.deepEqual(first.points.slice(-4), [0.5, 0.5, 0.5, null]); // the bucket starting now has no time yet
    recordLevel(h, T0 + MIN, 0, 4);
    const later = snapshot(h, T0 + 2 * MIN);
    assert.equal(later.share, 0.25);
    assert.deepEqual(later.points.slice(-7), [0.5, 0.5, 0.5, 0, 0, 0, null]);
  });

  test('a snapshot does not change the history, and events inside one bucket are time-weighted', () => {
    const h = createHistory(T0, { bucketMs: 10 * S, buckets: 6 });
    recordLevel(h, T0, 1, 1);
    recordLevel(h, T0 + 2.5 * S, 0, 1); // busy a quarter of the bucket
    const a = snapshot(h, T0 + 10 * S);
    const b = snapshot(h, T0 + 10 * S);
    assert.deepEqual(a, b);
    assert.equal(a.points.at(-2), 0.25);
  });

  test('the ring is bounded: after an hour only the last buckets count, and the window says 10 min', () => {
    const h = createHistory(T0);
    recordLevel(h, T0, 4, 4);
    for (let m = 1; m <= 50; m++) recordLevel(h, T0 + m * MIN, 4, 4);
    recordLevel(h, T0 + 50 * MIN, 1, 4); // a quarter busy for the last 10 minutes
    const s = snapshot(h, T0 + 60 * MIN);
    assert.equal(s.points.length, 30);
    assert.equal(h.busy.length, 30);
    assert.equal(s.share, 0.25);
    // 29 full buckets and the one just begun: at a bucket's start that is 9 min 40 s.
    assert.equal(s.coveredMs, 29 * 20 * S);
    assert.equal(utilisationLabel({ online: true, busy: 1, slots: 4, snapshot: s }), 'busy 1 of 4 now, 25 % over the last 10 min');
  });

  test('a page asleep for longer than the window starts afresh with the held level', () => {
    const h = createHistory(T0);
    recordLevel(h, T0, 1, 2);
    const s = snapshot(h, T0 + 5 * 60 * MIN);
    assert.equal(s.share, 0.5);
    assert.equal(s.coveredMs, 29 * 20 * S);
    assert.ok(s.points.slice(0, -1).every((p) => p === 0.5), JSON.stringify(s.points));
  });

  test('time offline is a gap, not idle time: the share counts only time online', () => {
    const h = createHistory(T0);
    recordLevel(h, T0, 1, 1);
    recordLevel(h, T0 + MIN, 0, 0); // offline
    recordLevel(h, T0 + 3 * MIN, 0, 1); // back, idle
    const s = snapshot(h, T0 + 4 * MIN);
    assert.equal(s.share, 0.5);
    assert.deepEqual(s.points.slice(-13), [1, 1, 1, null, null, null, null, null, null, 0, 0, 0, null]);
    assert.equal(utilisationLabel({ online: true, busy: 0, slots: 1, snapshot: s }), 'busy 0 of 1 now, 50 % over the last 4 min');
  });

  test('the label says how much the page has seen, and an agent never online says so', () => {
    const h = createHistory(T0 + 5 * S);
    recordLevel(h, T0 + 5 * S, 0, 0);
    const s = snapshot(h, T0 + 50 * S);
    assert.equal(utilisationLabel({ online: false, busy: 0, slots: 2, snapshot: s }), 'offline now, not online over the last 45 s');
    const g = createHistory(T0);
    recordLevel(g, T0, 2, 4);
    recordLevel(g, T0 + 30 * S, 3, 4);
    assert.equal(utilisationLabel({ online: true, busy: 3, slots: 4, snapshot: snapshot(g, T0 + 90 * S) }), 'busy 3 of 4 now, 67 % over the last 2 min');
  });

  test('busy slots above the slots (a stale count) are capped at the slots', () => {
    const h = createHistory(T0);
    recordLevel(h, T0, 3, 1);
    assert.equal(snapshot(h, T0 + MIN).share, 1);
  });
});

describe('sparkline path', () => {
  test('draws a line through the points, 1 at the top, and breaks it at gaps', () => {
    assert.equal(sparklinePath([0, 1, 0.5], 60, 16), 'M0 16 L30 0 L60 8');
    assert.equal(sparklinePath([0.25, null, null, 1, 1], 40, 20), 'M0 15 M30 0 L40 0');
    assert.equal(sparklinePath([null, null], 40, 20), '');
    assert.equal(sparklinePath([], 40, 20), '');
  });
});
