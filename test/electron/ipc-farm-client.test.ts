import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { ApiEvent } from '../../electron/controller/api/contract.js';
import type { FarmhandBridge } from '../../electron/controller/api/desktop-bridge.js';
import { errorCode, errorMessage, type ConnectionStatus } from '../../renderer/src/client/farm-client.js';
import { createIpcFarmClient } from '../../renderer/src/client/ipc-farm-client.js';

// The renderer's IPC transport over a stand-in window.farmhand: results pass through, an
// ApiError reply becomes a rejection the views read like the WebSocket one's, events and the
// (always connected) status reach listeners, close unsubscribes.

function fakeBridge() {
  const listeners = new Set<(events: ApiEvent[]) => void>();
  const bridge: FarmhandBridge = {
    commands: ['farm.status', 'jobs.get'],
    async call(command) {
      if (command === 'jobs.get') return { ok: false, error: { code: 'not-found', message: 'There is no job x; list jobs with `farmhand jobs`.' } };
      return { ok: true, result: { jobs: { total: 0, running: 0, queued: 0, failed: 0 }, agents: { total: 0, online: 0, busySlots: 0, slots: 0 }, progress: null, queuePaused: false } } as never;
    },
    onEvents(listener) {
      listeners.add(listener);
      return () => void listeners.delete(listener);
    },
    pathForFile: () => '',
    openFolder: async () => null,
    onOpenFile: () => () => undefined,
  };
  return { bridge, listeners };
}

test('IPC client: results, ApiErrors as rejections with code and sentence, events, status, close', async () => {
  const { bridge, listeners } = fakeBridge();
  const client = createIpcFarmClient(bridge);
  assert.equal((await client.call('farm.status', {})).queuePaused, false);
  const error = await client.call('jobs.get', { jobId: 'x' }).catch((e: unknown) => e);
  assert.equal(errorCode(error), 'not-found');
  assert.equal(errorMessage(error), 'There is no job x; list jobs with `farmhand jobs`.');
  const statuses: ConnectionStatus[] = [];
  client.onStatus((s) => statuses.push(s));
  assert.deepEqual(statuses.map((s) => [s.state, s.generation]), [['connected', 1]], 'connected from the start, once: views load at once');
  const got: ApiEvent[][] = [];
  client.onEvents((events) => got.push(events));
  for (const l of listeners) l([{ kind: 'notice', level: 'info', text: 'hello' }]);
  assert.equal(got.length, 1);
  client.close();
  assert.equal(listeners.size, 0, 'close unsubscribed from the bridge');
});
