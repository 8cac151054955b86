import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { ApiClient, connectApi } from '../../electron/controller/api/api-client.js';
import { ApiError, type TaskView } from '../../electron/controller/api/contract.js';
import { backoffDelay } from '../../renderer/src/client/backoff.js';
import { fetchAllPages } from '../../renderer/src/client/fetch-all-pages.js';
import type { ConnectionStatus } from '../../renderer/src/client/farm-client.js';
import { takePageToken } from '../../renderer/src/client/page-token.js';
import { createWebSocketFarmClient } from '../../renderer/src/client/websocket-farm-client.js';
import { chunkSegments, countStates, describeCounts } from '../../renderer/src/model/chunk-buckets.js';
import { formatRange } from '../../renderer/src/model/format.js';
import { JOB_ACTIONS } from '../../renderer/src/model/job-actions.js';
import { firstErrorLine, matchingLines } from '../../renderer/src/model/log-search.js';
import { EMPTY_FORM, toSubmitParams } from '../../renderer/src/views/submit/submit-form-state.js';

// The renderer's logic that needs no browser: ETA ranges, the chunk strip, the submit form's
// translation to jobs.submit, the token in the URL, and reconnecting with backoff.

function task(index: number, over: Partial<TaskView> = {}): TaskView {
  return { id: `t${index}`, jobId: 'j', index, label: `frames ${index + 1}`, type: 'blender', state: 'queued', attempt: 0, failures: 0, agentId: null, progress: 0, outputs: [], error: null, startedAt: null, endedAt: null, ...over };
}
const done = (index: number, seconds: number) => task(index, { state: 'succeeded', attempt: 1, startedAt: 0, endedAt: seconds * 1000 });

describe('ETA text (the estimate itself: eta-logic.test.ts)', () => {
  test('reads as a range', () => {
    assert.equal(formatRange(120_000, 240_000), '2–4 min');
    assert.equal(formatRange(30_000, 30_000), 'about 30 s');
    assert.equal(formatRange(30_000, 180_000), '30 s – 3 min');
  });
});

describe('chunk strip', () => {
  test('one labelled segment per task for small jobs', () => {
    const segments = chunkSegments([done(0, 1), task(1, { state: 'running', progress: 0.42 }), task(2, { state: 'failed' })]);
    assert.deepEqual(segments.map((s) => [s.state, s.label]), [['succeeded', 'frames 1: done'], ['running', 'frames 2: running (42%)'], ['failed', 'frames 3: failed']]);
  });

  test('10,000 tasks become at most the segments asked for, failures never hidden by neighbours', () => {
    const tasks = Array.from({ length: 10_000 }, (_, i) => (i === 5_123 ? task(i, { state: 'failed' }) : done(i, 1)));
    const segments = chunkSegments(tasks, 60);
    assert.ok(segments.length <= 60);
    const failed = segments.filter((s) => s.state === 'failed');
    assert.equal(failed.length, 1);
    assert.match(failed[0]!.label, /1 failed/);
    assert.equal(describeCounts(countStates(tasks)), '9999 done, 1 failed');
  });
});

describe('submit form', () => {
  test('a render with the fields filled becomes jobs.submit parameters', () => {
    const { params, errors } = toSubmitParams({ ...EMPTY_FORM, path: '/s/a.blend', frames: ' 1-10 ', chunkSize: '2', priority: '70', tags: 'gpu, linux gpu', video: true });
    assert.deepEqual(errors, {});
    assert.deepEqual(params, { type: 'render', scenePath: '/s/a.blend', priority: 70, tags: ['gpu', 'linux'], video: true, previewFirst: true, frames: '1-10', chunkSize: 2 });
  });

  test('relative paths, bad numbers and half a scale are named before sending', () => {
    const r = toSubmitParams({ ...EMPTY_FORM, path: 'a.blend', chunkSize: '0', priority: '101' });
    assert.equal(r.params, null);
    assert.deepEqual(Object.keys(r.errors).sort(), ['chunkSize', 'path', 'priority']);
    const t = toSubmitParams({ ...EMPTY_FORM, type: 'transcode', path: '/v/in.mov', scaleWidth: '1280' });
    assert.match(t.errors.scaleWidth ?? '', /both width and height/);
  });

  test('a transcode carries its codec settings', () => {
    const { params } = toSubmitParams({ ...EMPTY_FORM, type: 'transcode', path: '/v/in.mov', crf: '20', scaleWidth: '1280', scaleHeight: '720', audioBitrate: '192k' });
    assert.deepEqual(params, { type: 'transcode', inputPath: '/v/in.mov', priority: 50, tags: [], videoCodec: 'libx264', crf: 20, preset: 'medium', scale: [1280, 720], audioCodec: 'aac', audioBitrate: '192k' });
  });
});

describe('job actions and log search', () => {
  test('each action applies to the states it can change', () => {
    const applies = (id: string, state: string, failedCount = 0) =>
      JOB_ACTIONS.find((a) => a.id === id)!.appliesTo({ id: 'j', name: 'j', type: 'blender', priority: 50, createdAt: 0, state: state as never, taskCount: 2, succeededCount: 0, failedCount, runningCount: 0, failure: null });
    assert.equal(applies('pause', 'running'), true);
    assert.equal(applies('pause', 'paused'), false);
    assert.equal(applies('resume', 'paused'), true);
    assert.equal(applies('retry', 'succeeded'), false);
    assert.equal(applies('retry', 'running', 1), true);
    assert.equal(applies('priority', 'succeeded'), false);
    assert.equal(applies('delete', 'succeeded'), true);
  });

  test('finds matches and the first error line', () => {
    const lines = ['Fra:1 Sample 1/4', 'Warning: something', 'Error: Cannot read file', 'Traceback (most recent call last)'];
    assert.equal(firstErrorLine(lines), 2);
    assert.deepEqual(matchingLines(lines, 'SAMPLE'), [0]);
    assert.deepEqual(matchingLines(lines, '  '), []);
  });
});

describe('token from the page URL', () => {
  const fakes = (hash: string) => {
    const stored = new Map<string, string>();
    const replaced: string[] = [];
    const location = { hash, pathname: '/', search: '' } as Location;
    const history = { state: null, replaceState: (_s: unknown, _t: string, url: string) => void replaced.push(url) } as unknown as History;
    const storage = { getItem: (k: string) => stored.get(k) ?? null, setItem: (k: string, v: string) => void stored.set(k, v) } as Storage;
    return { location, history, storage, replaced };
  };

  test('is read from the fragment, taken out of the address bar and kept for a reload', () => {
    const f = fakes('#token=abc%2Bdef');
    assert.equal(takePageToken(f.location, f.history, f.storage), 'abc+def');
    assert.deepEqual(f.replaced, ['/']);
    const reload = { ...f, location: { hash: '', pathname: '/', search: '' } as Location };
    assert.equal(takePageToken(reload.location, reload.history, f.storage), 'abc+def');
  });

  test('is null when the page was opened without one', () => {
    const f = fakes('');
    assert.equal(takePageToken(f.location, f.history, f.storage), null);
  });
});

describe('WebSocket FarmClient', () => {
  test('backoff doubles to a cap, with jitter', () => {
    assert.equal(backoffDelay(0, 500, 10_000, () => 0.5), 500);
    assert.equal(backoffDelay(3, 500, 10_000, () => 0.5), 4000);
    assert.equal(backoffDelay(30, 500, 10_000, () => 0.5), 10_000);
    assert.equal(backoffDelay(0, 500, 10_000, () => 0), 400);
  });

  test('retries until the controller answers, reconnects after a drop, and stops on a refused token', async () => {
    const statuses: ConnectionStatus[] = [];
    let attempts = 0;
    let dropConnection: (() => void) | null = null;
    const connect = (async (_url: string, token: string) => {
      attempts++;
      if (token === 'wrong') throw new ApiError('unauthorized', 'The controller refused the token.');
      if (attempts <= 2) throw new Error('No Farmhand controller is running at ws://x/api.');
      const closeListeners: ((e: Error & { problem: 'closed' }) => void)[] = [];
      dropConnection = () => closeListeners.forEach((l) => l(Object.assign(new Error('The connection closed.'), { problem: 'closed' as const })));
      return {
        url: 'ws://x/api',
        serverVersion: '1',
        call: async () => ({ ok: true }),
        onEvents: () => () => undefined,
        onClose: (l: never) => (closeListeners.push(l), () => undefined),
        close: async () => undefined,
      } as unknown as ApiClient;
    }) as typeof connectApi;
    const waitFor = async (what: string, check: () => boolean) => {
      for (let i = 0; i < 200 && !check(); i++) await new Promise((r) => setTimeout(r, 5));
      assert.ok(check(), what);
    };

    const client = createWebSocketFarmClient({ url: 'ws://x/api', token: 'right', connect, initialBackoffMs: 1, maxBackoffMs: 5 });
    client.onStatus((s) => statuses.push(s));
    await waitFor('connected after two failures', () => statuses.at(-1)?.state === 'connected');
    assert.deepEqual(statuses.map((s) => s.state), ['connecting', 'reconnecting', 'reconnecting', 'connected']);
    assert.match(statuses[1]!.message!, /No Farmhand controller is running.*Reconnecting in/);
    assert.equal(statuses.at(-1)!.generation, 1);
    dropConnection!();
    await waitFor('connected again', () => statuses.at(-1)?.state === 'connected' && statuses.at(-1)!.generation === 2);
    client.close();

    const refused: ConnectionStatus[] = [];
    const before = attempts;
    const stranger = createWebSocketFarmClient({ url: 'ws://x/api', token: 'wrong', connect, initialBackoffMs: 1 });
    stranger.onStatus((s) => refused.push(s));
    await waitFor('refused', () => refused.at(-1)?.state === 'unauthorised');
    await new Promise((r) => setTimeout(r, 30));
    assert.equal(attempts, before + 1, 'no retry after the token was refused');
    assert.match(refused.at(-1)!.message!, /^Not authorised: /);
    await assert.rejects(stranger.call('jobs.list', {}), /Not authorised/);
    stranger.close();
  });
});

describe('fetchAllPages', () => {
  test('reads every page once, in order, the first alone and the rest a few at a time', async () => {
    const all = Array.from({ length: 2_345 }, (_, i) => i);
    const asked: number[] = [];
    let inFlight = 0;
    let most = 0;
    const items = await fetchAllPages(async (offset, limit) => {
      asked.push(offset);
      inFlight++;
      most = Math.max(most, inFlight);
      await new Promise((r) => setTimeout(r, 5 + ((offset / 100) % 3)));
      inFlight--;
      return { items: all.slice(offset, offset + limit), total: all.length, offset };
    }, { pageSize: 100, maxPages: 1000, concurrent: 4 });
    assert.deepEqual(items, all);
    assert.equal(asked[0], 0);
    assert.deepEqual([...asked].sort((a, b) => a - b), Array.from({ length: 24 }, (_, i) => i * 100));
    assert.equal(most, 4);
  });

  test('an empty list is one call, and the page bound holds', async () => {
    let calls = 0;
    assert.deepEqual(await fetchAllPages(async () => (calls++, { items: [], total: 0, offset: 0 }), { pageSize: 10, maxPages: 5 }), []);
    assert.equal(calls, 1);
    const bounded = await fetchAllPages(async (offset, limit) => ({ items: Array.from({ length: limit }, (_, i) => offset + i), total: 1_000_000, offset }), { pageSize: 10, maxPages: 3 });
    assert.equal(bounded.length, 30);
  });
});
