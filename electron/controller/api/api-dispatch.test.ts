import assert from 'node:assert/strict';
import { test } from 'node:test';
import { callCommand } from './api-dispatch.js';
import { ApiError, type FarmApi } from './contract.js';

/** A fake service: records what reached it, answers jobs.get, throws on demand. */
function fakeApi(calls: { command: string; params: unknown }[], o: { throwOnGet?: unknown } = {}): FarmApi {
  return new Proxy({} as FarmApi, {
    get: (_target, command: string) => async (params: unknown) => {
      calls.push({ command, params });
      if (command === 'jobs.get' && o.throwOnGet !== undefined) throw o.throwOnGet;
      return { echoed: params };
    },
  });
}

const isApiError = (code: string, pattern: RegExp) => (e: unknown) => e instanceof ApiError && e.code === code && pattern.test(e.message);

test('a known command with valid params reaches the service with defaults filled in', async () => {
  const calls: { command: string; params: unknown }[] = [];
  const result = await callCommand(fakeApi(calls), 'jobs.list', { state: ['running'] });
  assert.deepEqual(calls, [{ command: 'jobs.list', params: { state: ['running'], offset: 0, limit: 100 } }]);
  assert.deepEqual(result, { echoed: { state: ['running'], offset: 0, limit: 100 } });
  await callCommand(fakeApi(calls), 'agents.list', undefined);
  assert.deepEqual(calls.at(-1), { command: 'agents.list', params: {} }, 'no params means an empty object');
});

test('an unknown command is refused before the service sees it', async () => {
  const calls: { command: string; params: unknown }[] = [];
  await assert.rejects(callCommand(fakeApi(calls), 'jobs.explode', {}), isApiError('unknown-command', /There is no command "jobs\.explode"/));
  await assert.rejects(callCommand(fakeApi(calls), 'toString', {}), isApiError('unknown-command', /toString/), 'object prototype names are not commands');
  await assert.rejects(callCommand(fakeApi(calls), '__proto__', {}), isApiError('unknown-command', /__proto__/));
  assert.equal(calls.length, 0);
});

test('invalid params are one sentence naming the field and the fix', async () => {
  const calls: { command: string; params: unknown }[] = [];
  const api = fakeApi(calls);
  await assert.rejects(callCommand(api, 'jobs.get', {}), isApiError('invalid-params', /^Invalid params for jobs\.get: jobId is missing; give it as a string\.$/));
  await assert.rejects(callCommand(api, 'jobs.get', { jobId: 'no spaces allowed' }), isApiError('invalid-params', /jobId is not valid \(use an id as printed by farmhand jobs\)/));
  await assert.rejects(callCommand(api, 'jobs.setPriority', { jobId: 'j1', priority: 101 }), isApiError('invalid-params', /priority must be at most 100\.$/));
  await assert.rejects(callCommand(api, 'jobs.setPriority', { jobId: 'j1', priority: 2.5 }), isApiError('invalid-params', /priority must be a whole number/));
  await assert.rejects(callCommand(api, 'jobs.list', { state: ['running', 'sleeping'] }), isApiError('invalid-params', /state\[1\] must be one of "queued", "running"/));
  await assert.rejects(callCommand(api, 'jobs.submit', { type: 'paint' }), isApiError('invalid-params', /type must be one of "render", "transcode"/));
  await assert.rejects(callCommand(api, 'jobs.submit', { type: 'render' }), isApiError('invalid-params', /scenePath is missing/));
  await assert.rejects(callCommand(api, 'agents.add', { url: 'http://x' }), isApiError('invalid-params', /url is not valid \(give the agent as HOST:PORT or wss:\/\/HOST:PORT, e\.g\. 10\.0\.0\.5:7420\)/));
  await assert.rejects(callCommand(api, 'agents.add', { url: 'not an address' }), isApiError('invalid-params', /^Invalid params for agents\.add: url is not valid \(give the agent as HOST:PORT or wss:\/\/HOST:PORT, e\.g\. 10\.0\.0\.5:7420\)\.?$/));
  await assert.rejects(callCommand(api, 'jobs.get', 'j1'), isApiError('invalid-params', /params must be an object/));
  assert.equal(calls.length, 0, 'nothing invalid reaches the service');
});

test('an agent address typed without a scheme (127.0.0.1:7521) reaches the service, as does wss://', async () => {
  const calls: { command: string; params: unknown }[] = [];
  await callCommand(fakeApi(calls), 'agents.add', { url: '127.0.0.1:7521' });
  await callCommand(fakeApi(calls), 'agents.add', { url: ' wss://render-3:7420 ' });
  assert.deepEqual(calls, [{ command: 'agents.add', params: { url: '127.0.0.1:7521' } }, { command: 'agents.add', params: { url: 'wss://render-3:7420' } }]);
});

test('an ApiError from the service passes through as it is', async () => {
  const api = fakeApi([], { throwOnGet: new ApiError('not-found', 'There is no job j9; list jobs with farmhand jobs.') });
  await assert.rejects(callCommand(api, 'jobs.get', { jobId: 'j9' }), isApiError('not-found', /^There is no job j9; list jobs with farmhand jobs\.$/));
});

test('any other failure becomes an internal error with its first line and no stack', async () => {
  const boom = new TypeError('Cannot read properties of undefined (reading \'tasks\')\n    at secret (/srv/farmhand/scheduler.ts:12:3)');
  await assert.rejects(callCommand(fakeApi([], { throwOnGet: boom }), 'jobs.get', { jobId: 'j1' }), (e: unknown) => {
    assert.ok(e instanceof ApiError);
    assert.equal(e.code, 'internal');
    assert.equal(e.message, 'Cannot read properties of undefined (reading \'tasks\')');
    assert.doesNotMatch(e.message, /scheduler\.ts|\n/);
    return true;
  });
  await assert.rejects(callCommand(fakeApi([], { throwOnGet: 'a string' }), 'jobs.get', { jobId: 'j1' }), isApiError('internal', /./));
});
