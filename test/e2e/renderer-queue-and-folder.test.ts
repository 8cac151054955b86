import assert from 'node:assert/strict';
import { afterEach, describe, test } from 'node:test';
import type { ApiCommand, JobSummary } from '../../electron/controller/api/contract.js';
import type { FarmClient } from '../../renderer/src/client/farm-client.js';
import { desktopFiles, desktopFolderOpener } from '../../renderer/src/client/desktop-files.js';
import { openOutputFolder, type FolderHost } from '../../renderer/src/client/output-folder.js';
import { JOB_ACTIONS, targetsOf } from '../../renderer/src/model/job-actions.js';
import { useNoticesStore } from '../../renderer/src/stores/notices-store.js';
import { refreshQueueState, setQueuePaused, useQueueStore } from '../../renderer/src/stores/queue-store.js';

// "Open output folder" in the desktop app and in a browser, and the queue's hold as the header
// keeps it: read on connection, after a pause or resume, and when notices arrive, newest wins.

const summary = (id: string): JobSummary => ({ id, name: id, type: 'blender', priority: 50, createdAt: 0, state: 'succeeded', taskCount: 1, succeededCount: 1, failedCount: 0, runningCount: 0, failure: null });

describe('open output folder', () => {
  const browser = (copy: (text: string) => Promise<void>): FolderHost => ({ openFolder: null, copyText: copy });

  test('is offered for one job at a time, whatever its state', () => {
    const action = JOB_ACTIONS.find((a) => a.id === 'open-folder')!;
    assert.equal(action.label, 'Open output folder');
    assert.deepEqual(targetsOf(action, [summary('a')]).map((j) => j.id), ['a']);
    assert.deepEqual(targetsOf(action, [summary('a'), summary('b')]), []);
    assert.deepEqual(targetsOf(action, []), []);
    // The other actions still apply to a whole selection.
    assert.equal(targetsOf(JOB_ACTIONS.find((a) => a.id === 'delete')!, [summary('a'), summary('b')]).length, 2);
  });

  test('the desktop app opens the folder and says nothing, or shows why it did not', async () => {
    const opened: string[] = [];
    const host: FolderHost = { openFolder: async (path) => (opened.push(path), null), copyText: () => Promise.reject(new Error('not used')) };
    assert.equal(await openOutputFolder('/farm/out/shot', host), null);
    assert.deepEqual(opened, ['/farm/out/shot']);
    const refusing: FolderHost = { ...host, openFolder: async (path) => `The folder ${path} does not exist (yet): it is made when the first output arrives.` };
    assert.deepEqual(await openOutputFolder('/farm/out/new', refusing), { level: 'error', text: 'The folder /farm/out/new does not exist (yet): it is made when the first output arrives.' });
    const broken: FolderHost = { ...host, openFolder: () => Promise.reject(new Error('ipc gone')) };
    assert.match((await openOutputFolder('/farm/out/x', broken))!.text, /^The folder \/farm\/out\/x could not be opened from this window; open it from the file manager\.$/);
  });

  test('a browser copies the path and says the folder is on the controller\'s machine', async () => {
    const copied: string[] = [];
    assert.deepEqual(await openOutputFolder('/farm/out/shot', browser(async (t) => void copied.push(t))), { level: 'info', text: 'Copied /farm/out/shot — the folder is on the controller\'s machine.' });
    assert.deepEqual(copied, ['/farm/out/shot']);
    const refused = await openOutputFolder('/farm/out/shot', browser(() => Promise.reject(new Error('NotAllowedError'))));
    assert.equal(refused!.level, 'warn');
    assert.match(refused!.text, /^The output folder is \/farm\/out\/shot on the controller's machine; .*copy it from there\.$/);
  });

  test('the bridge\'s helpers are found on window.farmhand only when it has them', async () => {
    const global = globalThis as { farmhand?: unknown };
    try {
      assert.equal(desktopFolderOpener(), null);
      assert.equal(desktopFiles(), null);
      global.farmhand = { openFolder: async (p: string) => `no ${p}` };
      assert.equal(desktopFiles(), null, 'no pathForFile/onOpenFile: not the file helpers');
      assert.equal(await desktopFolderOpener()!('/x'), 'no /x');
    } finally {
      delete global.farmhand;
    }
  });
});

/** A client whose farm.status answers when the test says so; pause and resume answer at once. */
function fakeClient(initiallyPaused: boolean) {
  let paused = initiallyPaused;
  const calls: ApiCommand[] = [];
  const pendingStatus: Array<{ resolve: () => void }> = [];
  let failNext: string | null = null;
  const client: FarmClient = {
    async call(command: ApiCommand) {
      calls.push(command);
      if (failNext) {
        const message = failNext;
        failNext = null;
        throw new Error(message);
      }
      if (command === 'farm.status') {
        const answer = paused; // what the controller says when it reads the request
        await new Promise<void>((resolve) => pendingStatus.push({ resolve }));
        return { jobs: { total: 0, running: 0, queued: 0, failed: 0 }, agents: { total: 0, online: 0, busySlots: 0, slots: 0 }, progress: null, queuePaused: answer };
      }
      if (command === 'farm.pauseQueue') return { queuePaused: (paused = true) };
      if (command === 'farm.resumeQueue') return { queuePaused: (paused = false) };
      throw new Error(`unexpected ${command}`);
    },
    onEvents: () => () => undefined,
    onStatus: () => () => undefined,
    close: () => undefined,
  } as FarmClient;
  const answerStatus = async () => {
    for (let i = 0; i < 20 && pendingStatus.length === 0; i++) await new Promise((r) => setImmediate(r));
    pendingStatus.shift()?.resolve();
    await new Promise((r) => setImmediate(r));
  };
  return { client, calls, answerStatus, failWith: (m: string) => void (failNext = m), setPaused: (p: boolean) => void (paused = p) };
}

describe('the queue\'s hold in the window', () => {
  afterEach(() => useNoticesStore.setState({ notices: [] }));

  test('is read on connection and follows pause and resume', async () => {
    const fake = fakeClient(true);
    const read = refreshQueueState(fake.client);
    await fake.answerStatus();
    await read;
    assert.equal(useQueueStore.getState().paused, true);
    await setQueuePaused(fake.client, false);
    assert.deepEqual(useQueueStore.getState(), { paused: false, changing: false });
    await setQueuePaused(fake.client, true);
    assert.equal(useQueueStore.getState().paused, true);
  });

  test('a status read sent before a resume, answered after it, does not undo it', async () => {
    const fake = fakeClient(true);
    const read = refreshQueueState(fake.client); // reads "paused", answers late
    await setQueuePaused(fake.client, false);
    await fake.answerStatus();
    await read;
    assert.equal(useQueueStore.getState().paused, false);
  });

  test('asks made while a read is out fold into one more read, which sees the newest state', async () => {
    const fake = fakeClient(false);
    const first = refreshQueueState(fake.client);
    fake.setPaused(true); // paused elsewhere (the tray) while the first read is out
    await Promise.all([refreshQueueState(fake.client), refreshQueueState(fake.client), refreshQueueState(fake.client)]);
    await fake.answerStatus();
    await fake.answerStatus();
    await first;
    assert.deepEqual(fake.calls, ['farm.status', 'farm.status']);
    assert.equal(useQueueStore.getState().paused, true);
  });

  test('a refused pause is one notice, and the state is read again', async () => {
    const fake = fakeClient(false);
    const read = refreshQueueState(fake.client);
    await fake.answerStatus();
    await read;
    fake.failWith('The controller is not connected; try again once it is.');
    const pausing = setQueuePaused(fake.client, true);
    await fake.answerStatus();
    await pausing;
    assert.deepEqual(useNoticesStore.getState().notices.map((n) => [n.level, n.text]), [['error', 'The queue could not be paused: The controller is not connected; try again once it is.']]);
    assert.deepEqual(useQueueStore.getState(), { paused: false, changing: false });
    assert.deepEqual(fake.calls, ['farm.status', 'farm.pauseQueue', 'farm.status']);
  });
});
