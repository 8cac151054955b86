import { test } from 'node:test';
import assert from 'node:assert/strict';
import { BridgeChannel, COMMANDS_ARGUMENT } from '../controller/api/desktop-bridge.js';
import { commandsFromArgv, createFarmhandBridge, type PreloadPorts } from './farmhand-bridge.js';

function fakePorts() {
  const invoked: { channel: string; args: unknown[] }[] = [];
  const sent: string[] = [];
  const listeners = new Map<string, Set<(event: unknown, ...args: unknown[]) => void>>();
  const ports: PreloadPorts = {
    async invoke(channel, ...args) {
      invoked.push({ channel, args });
      return { ok: true, result: { echoed: args[0] } };
    },
    send: (channel) => void sent.push(channel),
    on: (channel, l) => void (listeners.get(channel) ?? listeners.set(channel, new Set()).get(channel)!).add(l),
    off: (channel, l) => void listeners.get(channel)?.delete(l),
    getPathForFile: () => {
      throw new TypeError('not a File');
    },
  };
  const emit = (channel: string, value: unknown) => listeners.get(channel)?.forEach((l) => l({ sender: 'secret' }, value));
  return { ports, invoked, sent, emit, listeners };
}

test('call: a known command goes to its own channel; an unknown one is refused before IPC', async () => {
  const { ports, invoked } = fakePorts();
  const bridge = createFarmhandBridge(ports, ['jobs.list', 'farm.status']);
  assert.deepEqual(await bridge.call('jobs.list', { limit: 5 }), { ok: true, result: { echoed: { limit: 5 } } });
  assert.deepEqual(invoked, [{ channel: 'farmhand:jobs.list', args: [{ limit: 5 }] }]);
  const refused = await bridge.call('open-folder' as 'farm.status', {});
  assert.equal(refused.ok, false);
  assert.equal(!refused.ok && refused.error.code, 'unknown-command');
  assert.equal(invoked.length, 1, 'nothing else reached IPC');
});

test('events and opened files reach listeners without Electron\'s event object; unsubscribe works', () => {
  const { ports, emit, sent, listeners } = fakePorts();
  const bridge = createFarmhandBridge(ports, []);
  const got: unknown[][] = [];
  const stop = bridge.onEvents((...args) => got.push(args));
  emit(BridgeChannel.events, [{ kind: 'notice', level: 'info', text: 'hi' }]);
  assert.deepEqual(got, [[[{ kind: 'notice', level: 'info', text: 'hi' }]]]);
  stop();
  emit(BridgeChannel.events, []);
  assert.equal(got.length, 1);
  const paths: string[] = [];
  bridge.onOpenFile((p) => paths.push(p));
  assert.deepEqual(sent, [BridgeChannel.openFileReady], 'the main process hears that files can be delivered');
  emit(BridgeChannel.openFile, '/scenes/a.blend');
  assert.deepEqual(paths, ['/scenes/a.blend']);
  assert.equal(listeners.get(BridgeChannel.openFile)?.size, 1);
});

test('pathForFile gives "" for what has no path; openFolder refuses an empty path', async () => {
  const { ports, invoked } = fakePorts();
  const bridge = createFarmhandBridge(ports, []);
  assert.equal(bridge.pathForFile({} as File), '');
  assert.match((await bridge.openFolder(''))!, /No folder/);
  assert.equal(invoked.length, 0);
});

test('command names come from the renderer\'s command line; junk is dropped', () => {
  assert.deepEqual(commandsFromArgv(['/app', `${COMMANDS_ARGUMENT}jobs.list,farm.status,../x,`]), ['jobs.list', 'farm.status']);
  assert.deepEqual(commandsFromArgv(['/app']), []);
});
