import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { WebSocket } from 'ws';
import { ApiConnectionError, connectApi } from '../../electron/controller/api/api-client.js';
import { startApiServer, type ApiServer } from '../../electron/controller/api/api-server.js';
import { generateApiToken } from '../../electron/controller/api/api-token.js';
import { ApiError, type ApiEvent, type FarmApi, type JobSummary, type TaskView } from '../../electron/controller/api/contract.js';
import { freePort } from '../helpers/free-port.js';

// The API's WebSocket transport for real on 127.0.0.1, over a fake service: who gets in,
// what a request returns, how errors and events travel, and that bad frames hurt nobody.

/** A fake FarmApi: a few canned answers, a record of every call, events on demand. */
class FakeFarmApi {
  calls: { command: string; params: unknown }[] = [];
  private listeners = new Set<(event: ApiEvent) => void>();
  readonly api: FarmApi;

  constructor() {
    const record = (command: string, params: unknown) => this.calls.push({ command, params });
    const unexpected = async () => {
      throw new Error('FakeFarmApi: command not faked');
    };
    this.api = new Proxy({
      'jobs.get': async (p: { jobId: string }) => {
        record('jobs.get', p);
        if (p.jobId !== 'j1') throw new ApiError('not-found', `There is no job ${p.jobId}; list jobs with farmhand jobs.`);
        return { ...summary('j1', 'running'), paused: false, tags: [], outputDir: '/out', endedAt: null, progress: 0.5, settings: {} };
      },
      'jobs.setPriority': async (p: { jobId: string; priority: number }) => {
        record('jobs.setPriority', p);
        return { ...summary(p.jobId, 'queued'), priority: p.priority };
      },
      'farm.status': async (p: object) => {
        record('farm.status', p);
        throw new Error('disk on fire\n    at Scheduler.secret (/srv/scheduler.ts:1:1)');
      },
    } as unknown as FarmApi, { get: (target, key: string) => (target as Record<string, unknown>)[key] ?? unexpected });
  }

  onEvent = (listener: (event: ApiEvent) => void) => {
    this.listeners.add(listener);
    return () => void this.listeners.delete(listener);
  };

  emit(event: ApiEvent): void {
    for (const listener of this.listeners) listener(event);
  }
}

function summary(id: string, state: JobSummary['state']): JobSummary {
  return { id, name: id, type: 'blender', priority: 50, createdAt: 0, state, taskCount: 4, succeededCount: 0, failedCount: 0, runningCount: 1, failure: null };
}

function taskEvent(id: string, progress: number): ApiEvent {
  const task: TaskView = { id, jobId: 'j1', index: 0, label: id, type: 'blender', state: 'running', attempt: 1, failures: 0, agentId: 'a1', progress, outputs: [], error: null, startedAt: 0, endedAt: null };
  return { kind: 'task', task };
}

/** A raw socket that records every frame and the close, for frames the typed client would never send. */
async function rawSocket(url: string): Promise<{ ws: WebSocket; frames: Record<string, unknown>[]; closed: Promise<{ code: number; reason: string }>; next(): Promise<Record<string, unknown>> }> {
  const ws = new WebSocket(url);
  const frames: Record<string, unknown>[] = [];
  const waiters: ((f: Record<string, unknown>) => void)[] = [];
  ws.on('message', (data) => {
    const frame = JSON.parse(String(data)) as Record<string, unknown>;
    const waiter = waiters.shift();
    if (waiter) waiter(frame);
    else frames.push(frame);
  });
  ws.on('error', () => undefined);
  const closed = new Promise<{ code: number; reason: string }>((resolve) => ws.on('close', (code, reason) => resolve({ code, reason: String(reason) })));
  await new Promise<void>((resolve, reject) => {
    ws.once('open', () => resolve());
    ws.once('error', reject);
  });
  const next = () => new Promise<Record<string, unknown>>((resolve, reject) => {
    const queued = frames.shift();
    if (queued) return resolve(queued);
    const timer = setTimeout(() => reject(new Error('no frame within 3 s')), 3000);
    waiters.push((f) => {
      clearTimeout(timer);
      resolve(f);
    });
  });
  return { ws, frames, closed, next };
}

function withTimeout<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  return Promise.race([promise, new Promise<T>((_, reject) => setTimeout(() => reject(new Error(`${what} did not happen within ${ms} ms`)), ms).unref())]);
}

describe('API server (WebSocket transport)', { timeout: 60_000 }, () => {
  const token = generateApiToken();
  let fake: FakeFarmApi;
  let server: ApiServer;

  before(async () => {
    fake = new FakeFarmApi();
    server = await startApiServer({ api: fake.api, onEvent: fake.onEvent, token, host: '127.0.0.1', port: 0, authTimeoutMs: 300, eventIntervalMs: 100 });
  });
  after(async () => {
    await server.close();
  });

  test('listens on the real port it reports, WebSocket at /api and 404 elsewhere', async () => {
    assert.ok(server.port > 0);
    assert.equal(server.url, `ws://127.0.0.1:${server.port}/api`);
    const response = await fetch(`http://127.0.0.1:${server.port}/`);
    assert.equal(response.status, 404);
    await assert.rejects(connectApi(`ws://127.0.0.1:${server.port}/elsewhere`, token), (e: unknown) => e instanceof ApiConnectionError && e.problem === 'not-an-api' && /is not a Farmhand controller's API/.test(e.message));
  });

  test('a wrong token is refused with the reason, the socket closed 4001, and no command runs', async () => {
    const before = fake.calls.length;
    await assert.rejects(connectApi(server.url, generateApiToken(), { tokenHint: 'use the one in /home/me/.farmhand/api-token or pass --token' }), (e: unknown) =>
      e instanceof ApiError && e.code === 'unauthorized' && e.message === 'The controller refused the token; use the one in /home/me/.farmhand/api-token or pass --token.');
    const raw = await rawSocket(server.url);
    raw.ws.send(JSON.stringify({ type: 'auth', token: token.slice(0, -1) }));
    raw.ws.send(JSON.stringify({ type: 'request', id: 1, command: 'jobs.get', params: { jobId: 'j1' } }));
    const refused = await raw.next();
    assert.equal(refused.type, 'auth.refused');
    assert.match(String(refused.reason), /The API token is wrong/);
    assert.equal((await withTimeout(raw.closed, 3000, 'close')).code, 4001);
    assert.equal(fake.calls.length, before, 'nothing ran');
    assert.equal(server.clientCount, 0);
  });

  test('a request before authenticating is refused and never runs', async () => {
    const before = fake.calls.length;
    const raw = await rawSocket(server.url);
    raw.ws.send(JSON.stringify({ type: 'request', id: 1, command: 'jobs.setPriority', params: { jobId: 'j1', priority: 99 } }));
    const refused = await raw.next();
    assert.deepEqual(refused, { type: 'auth.refused', reason: 'Authenticate first: the first message must be {"type":"auth","token":…}.' });
    assert.equal((await withTimeout(raw.closed, 3000, 'close')).code, 4001);
    assert.equal(fake.calls.length, before);
  });

  test('a client that never authenticates is closed after the auth timeout', async () => {
    const raw = await rawSocket(server.url);
    const started = Date.now();
    const closed = await withTimeout(raw.closed, 3000, 'close');
    assert.equal(closed.code, 4002);
    assert.ok(Date.now() - started >= 250, 'not before the timeout');
    assert.match(String((raw.frames[0] ?? {}).reason), /No token arrived/);
  });

  test('requests round-trip with typed results, and service errors keep their code and sentence', async () => {
    const client = await connectApi(server.url, token);
    try {
      assert.equal(client.serverVersion, '1');
      const job = await client.call('jobs.get', { jobId: 'j1' });
      assert.equal(job.id, 'j1');
      assert.equal(job.progress, 0.5);
      const [a, b] = await Promise.all([client.call('jobs.setPriority', { jobId: 'j2', priority: 7 }), client.call('jobs.setPriority', { jobId: 'j3', priority: 8 })]);
      assert.deepEqual([a.id, a.priority, b.id, b.priority], ['j2', 7, 'j3', 8], 'concurrent requests get their own answers');
      await assert.rejects(client.call('jobs.get', { jobId: 'nope' }), (e: unknown) => e instanceof ApiError && e.code === 'not-found' && e.message === 'There is no job nope; list jobs with farmhand jobs.');
      await assert.rejects(client.call('farm.status', {}), (e: unknown) => e instanceof ApiError && e.code === 'internal' && e.message === 'disk on fire', 'no stack crosses the wire');
    } finally {
      await client.close();
    }
  });

  test('invalid params come back as invalid-params naming the field, without reaching the service', async () => {
    const client = await connectApi(server.url, token);
    const before = fake.calls.length;
    try {
      await assert.rejects(client.call('jobs.setPriority', { jobId: 'j1', priority: 500 }), (e: unknown) => e instanceof ApiError && e.code === 'invalid-params' && /priority must be at most 100/.test(e.message));
      await assert.rejects(client.call('nope.nothing' as 'farm.status', {}), (e: unknown) => e instanceof ApiError && e.code === 'unknown-command');
      assert.equal(fake.calls.length, before);
    } finally {
      await client.close();
    }
  });

  test('events arrive batched: a burst of task updates becomes a few messages with the latest state', async () => {
    const client = await connectApi(server.url, token);
    const batches: ApiEvent[][] = [];
    client.onEvents((events) => batches.push(events));
    try {
      // 600 updates over ~300 ms for three tasks.
      const started = Date.now();
      for (let round = 0; round < 30; round++) {
        for (let i = 0; i < 20; i++) fake.emit(taskEvent(`t${i % 3}`, (round * 20 + i) / 599));
        await new Promise((resolve) => setTimeout(resolve, 10));
      }
      fake.emit({ kind: 'notice', level: 'warn', text: 'agent a1 lost' });
      await withTimeout((async () => {
        while (!batches.flat().some((e) => e.kind === 'notice')) await new Promise((resolve) => setTimeout(resolve, 20));
      })(), 3000, 'the last batch');
      const elapsed = Date.now() - started;
      assert.ok(batches.length >= 2 && batches.length <= Math.ceil(elapsed / 100) + 2, `${batches.length} batches for 600 events in ${elapsed} ms`);
      assert.ok(batches.every((b) => b.length <= 4), 'each batch holds one event per task plus the notice');
      const last = new Map<string, number>();
      for (const e of batches.flat()) if (e.kind === 'task') last.set(e.task.id, e.task.progress);
      assert.equal(last.size, 3);
      assert.equal(Math.max(...last.values()), 1, 'the final state arrives');
    } finally {
      await client.close();
    }
  });

  test('malformed frames get an error and the connection keeps serving', async () => {
    const raw = await rawSocket(server.url);
    raw.ws.send(JSON.stringify({ type: 'auth', token }));
    assert.equal((await raw.next()).type, 'auth.ok');
    raw.ws.send('{not json');
    assert.deepEqual(await raw.next(), { type: 'error', error: { code: 'bad-input', message: 'The message is not JSON; send one JSON object per message.' } });
    raw.ws.send(JSON.stringify({ type: 'teleport', id: 7 }));
    const answer = await raw.next();
    assert.equal(answer.type, 'response');
    assert.equal(answer.id, 7, 'a readable id gets its own answer');
    assert.equal((answer.error as { code: string }).code, 'bad-input');
    raw.ws.send(Buffer.from([1, 2, 3]), { binary: true });
    assert.match(String(((await raw.next()).error as { message: string }).message), /Binary frames are not part of the API/);
    // 20 KB of nested brackets (it crashed agents once): refused before it is parsed.
    raw.ws.send('{"type":' + '['.repeat(10_000) + ']'.repeat(10_000) + '}');
    assert.deepEqual(await raw.next(), { type: 'error', error: { code: 'bad-input', message: 'The message nests deeper than 16 levels; send one flat JSON object per message.' } });
    raw.ws.send(JSON.stringify({ type: 'request', id: 8, command: 'jobs.get', params: { jobId: 'j1' } }));
    const ok = await raw.next();
    assert.deepEqual([ok.type, ok.id, ok.ok], ['response', 8, true]);
    raw.ws.close();
  });

  test('an oversized frame closes that socket with 1009, and the server keeps serving others', async () => {
    const client = await connectApi(server.url, token);
    const raw = await rawSocket(server.url);
    raw.ws.send(JSON.stringify({ type: 'auth', token }));
    assert.equal((await raw.next()).type, 'auth.ok');
    raw.ws.send(JSON.stringify({ type: 'request', id: 1, command: 'jobs.get', params: { jobId: 'x'.repeat(2 * 1024 * 1024) } }));
    assert.equal((await withTimeout(raw.closed, 3000, 'close')).code, 1009);
    try {
      assert.equal((await client.call('jobs.get', { jobId: 'j1' })).id, 'j1', 'another client is unaffected');
      const fresh = await connectApi(server.url, token);
      assert.equal((await fresh.call('jobs.get', { jobId: 'j1' })).id, 'j1', 'new clients still get in');
      await fresh.close();
    } finally {
      await client.close();
    }
  });

  test('nothing listening is a clear "not running" error', async () => {
    const url = `ws://127.0.0.1:${await freePort()}/api`;
    await assert.rejects(connectApi(url, token), (e: unknown) =>
      e instanceof ApiConnectionError && e.problem === 'not-running' && e.message === `No Farmhand controller is running at ${url}; start one with \`farmhand controller\`.`);
  });

  test('when the server stops, connected clients hear of it and pending calls fail', async () => {
    const other = await startApiServer({ api: fake.api, token, port: 0 });
    const client = await connectApi(other.url, token);
    const closedWith = new Promise<ApiConnectionError>((resolve) => client.onClose(resolve));
    await other.close();
    const error = await withTimeout(closedWith, 3000, 'onClose');
    assert.match(error.message, /closed \(1001: controller shutting down\)/);
    await assert.rejects(client.call('jobs.get', { jobId: 'j1' }), ApiConnectionError);
  });

  test('a busy port is one sentence with the fix', async () => {
    await assert.rejects(startApiServer({ api: fake.api, token, port: server.port }), /Port \d+ on 127\.0\.0\.1 is already in use; stop the other controller or pass --port/);
  });
});
