import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { mkdir, rename, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { createAgent, type Agent } from '../../node-agent/create-agent.js';
import { connectSecure, PeerChannel } from '../../node-agent/channel/index.js';
import { describeFile, generateFarmKey, type FileRef, type JobWorkspace, type Message, type MessageOf } from '../../node-agent/protocol/index.js';
import { makeScratchDir } from '../helpers/scratch.js';
import { centrePixel, isMagenta, makeSolidPng, makeTexturedScene } from '../helpers/textured-scene.js';

// Protocol 4 on a real agent, through its real TLS-PSK WebSocket: a Blender task that names its
// job's workspace renders only after `job.workspace` came on that connection (else it fails,
// retryably, in one sentence), and `job.ended` removes the workspace at once, not 10 minutes later.

const NO_LIST = (jobId: string) => `The controller did not send job ${jobId}'s file list before its task; the task will be retried.`;

/** A controller as far as the agent can tell: the real channel, answering input requests from `files`. */
async function connectController(agent: Agent, farmKey: string, files: Map<string, { path: string; ref: FileRef }>, incoming: string) {
  const ws = connectSecure(agent.url, { farmKey, controllerId: 'workspace-test' });
  await new Promise<void>((resolve, reject) => {
    ws.once('open', () => resolve());
    ws.once('close', (code) => reject(new Error(`the secure channel did not open (close ${code})`)));
  });
  let n = 0;
  const received: Message[] = [];
  const arrived: string[] = [];
  const waiters = new Set<() => void>();
  const channel = new PeerChannel(ws, { openIncoming: async () => ({ tempPath: join(incoming, `file-${n++}`) }) });
  channel.on('file', ({ begin, tempPath }) => {
    void rename(tempPath, join(incoming, begin.file.name)).then(() => {
      arrived.push(begin.file.name);
      for (const w of [...waiters]) w();
    });
  });
  channel.onMessage = (message) => {
    received.push(message);
    if (message.type === 'input.request') {
      const file = files.get(message.sha256);
      if (file) void channel.sendFile(file.path, file.ref);
      else channel.send({ type: 'input.missing', sha256: message.sha256, reason: 'not in this test' });
    }
    for (const w of [...waiters]) w();
  };
  const waitFor = <T>(find: () => T | undefined, what: string, timeoutMs = 60_000) => new Promise<T>((resolve, reject) => {
    const check = () => {
      const hit = find();
      if (hit === undefined) return false;
      clearTimeout(timer);
      waiters.delete(check);
      resolve(hit);
      return true;
    };
    const timer = setTimeout(() => {
      waiters.delete(check);
      reject(new Error(`timed out after ${timeoutMs} ms waiting for ${what}; received ${received.map((m) => m.type).join(', ')}`));
    }, timeoutMs);
    if (!check()) waiters.add(check);
  });
  const taskEnd = (taskId: string, attempt: number) => waitFor(
    () => received.find((m): m is MessageOf<'task.done'> | MessageOf<'task.failed'> => (m.type === 'task.done' || m.type === 'task.failed') && m.taskId === taskId && m.attempt === attempt),
    `${taskId} attempt ${attempt} to end`,
  );
  const closed = new Promise<void>((resolve) => channel.once('close', () => resolve()));
  return {
    channel,
    received,
    taskEnd,
    waitForFile: (name: string) => waitFor(() => (arrived.includes(name) ? join(incoming, name) : undefined), `the output ${name}`),
    async close() {
      channel.close(1000, 'test done');
      await closed;
    },
  };
}

async function waitUntil(check: () => boolean, what: string, timeoutMs = 5_000): Promise<void> {
  for (const end = Date.now() + timeoutMs; Date.now() < end;) {
    if (check()) return;
    await new Promise((r) => setTimeout(r, 10));
  }
  assert.fail(`timed out after ${timeoutMs} ms waiting for ${what}`);
}

describe('an agent and its jobs\' workspaces (protocol 4)', { timeout: 240_000 }, () => {
  const farmKey = generateFarmKey();
  let dir: string;
  let cleanup: () => Promise<void>;
  let agent: Agent;
  let dataDir: string;
  const files = new Map<string, { path: string; ref: FileRef }>();
  let scene: FileRef;
  let texture: FileRef;
  let cacheFile: FileRef;

  before(async () => {
    ({ dir, cleanup } = await makeScratchDir('farmhand-agent-job-workspace'));
    const project = join(dir, 'project');
    await makeSolidPng(join(project, 'textures/wood.png'), '0x20c040');
    const scenePath = await makeTexturedScene(join(project, 'shot.blend'), '//textures/wood.png', join(dir, 'home'));
    await mkdir(join(project, 'blendcache_shot'), { recursive: true });
    await writeFile(join(project, 'blendcache_shot/cache_000001_00.bphys'), 'an unbaked point cache frame');
    scene = await describeFile(scenePath, 'shot.blend');
    texture = await describeFile(join(project, 'textures/wood.png'), 'wood.png');
    cacheFile = await describeFile(join(project, 'blendcache_shot/cache_000001_00.bphys'), 'cache_000001_00.bphys');
    files.set(scene.sha256, { path: scenePath, ref: scene });
    files.set(texture.sha256, { path: join(project, 'textures/wood.png'), ref: texture });
    files.set(cacheFile.sha256, { path: join(project, 'blendcache_shot/cache_000001_00.bphys'), ref: cacheFile });
    dataDir = join(dir, 'agent');
    agent = await createAgent({ farmKey, dataDir, host: '127.0.0.1', port: 0, mdns: false }); // idle removal: 10 minutes
    assert.ok(agent.capabilities.taskTypes.includes('blender'), 'Blender is installed here');
  });
  after(async () => {
    await agent?.close();
    await cleanup?.();
  });

  const workspace = (): JobWorkspace => ({
    scenePath: 'shot.blend',
    files: [
      { path: 'textures/wood.png', sha256: texture.sha256, size: texture.size },
      { path: 'blendcache_shot/cache_000001_00.bphys', sha256: cacheFile.sha256, size: cacheFile.size, copy: true },
    ],
    pathMap: [],
  });
  const assign = (jobId: string, taskId: string, attempt: number): Message => ({
    type: 'task.assign',
    taskId,
    attempt,
    jobId,
    inputs: [scene],
    spec: { type: 'blender', frames: [1], outputName: 'shot', format: 'PNG', engine: 'CYCLES', workspace: true },
    timeoutMs: 120_000,
  });
  const workspaceDir = (jobId: string) => join(dataDir, 'workspaces', jobId);

  test('a task naming its job\'s workspace fails retryably without job.workspace, renders with it, and job.ended removes the workspace at once', async () => {
    const incoming = join(dir, 'incoming-1');
    await mkdir(incoming, { recursive: true });
    const controller = await connectController(agent, farmKey, files, incoming);
    try {
      controller.channel.send(assign('job-a', 'task-a', 1));
      const failed = await controller.taskEnd('task-a', 1);
      assert.equal(failed.type, 'task.failed');
      assert.deepEqual({ error: failed.type === 'task.failed' && failed.error, unrecoverable: failed.type === 'task.failed' && failed.unrecoverable }, { error: NO_LIST('job-a'), unrecoverable: false });
      assert.equal(controller.received.some((m) => m.type === 'input.request'), false, 'it failed before fetching anything');

      controller.channel.send({ type: 'job.workspace', jobId: 'job-a', workspace: workspace() });
      controller.channel.send(assign('job-a', 'task-a', 2));
      const done = await controller.taskEnd('task-a', 2);
      assert.equal(done.type, 'task.done', done.type === 'task.failed' ? done.error : '');
      const requested = controller.received.filter((m) => m.type === 'input.request').map((m) => m.type === 'input.request' && m.sha256).sort();
      assert.deepEqual(requested, [scene.sha256, texture.sha256, cacheFile.sha256].sort(), 'the scene and the job\'s files were fetched');

      const root = workspaceDir('job-a');
      assert.equal((await stat(join(root, 'textures/wood.png'))).ino, (await stat(join(dataDir, 'inputs', texture.sha256))).ino, 'the texture is a hard link into the cache');
      assert.notEqual((await stat(join(root, 'blendcache_shot/cache_000001_00.bphys'))).ino, (await stat(join(dataDir, 'inputs', cacheFile.sha256))).ino, 'the cache file marked copy is a copy');
      assert.equal(existsSync(join(root, 'shot.blend')), true, 'the scene under its real name');

      controller.channel.send({ type: 'output.fetch', taskId: 'task-a', attempt: 2 });
      const frame = await controller.waitForFile('shot_0001.png');
      assert.equal(isMagenta(await centrePixel(frame)), false, 'the frame found its texture');

      controller.channel.send({ type: 'job.ended', jobId: 'job-a' });
      await waitUntil(() => !existsSync(root), 'the ended job\'s workspace to be removed');
      assert.equal(existsSync(join(dataDir, 'inputs', texture.sha256)), true, 'the cached texture stays');

      // The list went with the job: a requeued task fails until the controller sends it again.
      controller.channel.send(assign('job-a', 'task-a', 3));
      const again = await controller.taskEnd('task-a', 3);
      assert.equal(again.type === 'task.failed' && again.error, NO_LIST('job-a'));
    } finally {
      await controller.close();
    }
  });

  test('job.ended right behind a task.assign waits for that task: it renders, then the workspace goes', async () => {
    const incoming = join(dir, 'incoming-2');
    await mkdir(incoming, { recursive: true });
    const controller = await connectController(agent, farmKey, files, incoming);
    try {
      controller.channel.send({ type: 'job.workspace', jobId: 'job-b', workspace: workspace() });
      controller.channel.send(assign('job-b', 'task-b', 1));
      controller.channel.send({ type: 'job.ended', jobId: 'job-b' });
      let sawWorkspace = false;
      const watching = (async () => {
        for (let i = 0; i < 12_000 && !controller.received.some((m) => m.type === 'task.done' || m.type === 'task.failed'); i++) {
          sawWorkspace ||= existsSync(join(workspaceDir('job-b'), 'textures/wood.png'));
          await new Promise((r) => setTimeout(r, 5));
        }
      })();
      const done = await controller.taskEnd('task-b', 1);
      await watching;
      assert.equal(done.type, 'task.done', done.type === 'task.failed' ? done.error : '');
      assert.equal(sawWorkspace, true, 'the task built its workspace after job.ended arrived');
      await waitUntil(() => !existsSync(workspaceDir('job-b')), 'the workspace to go once the task released it');
    } finally {
      await controller.close();
    }
  });

  test('a list is forgotten when the connection that sent it closes: the next connection must send it again', async () => {
    const incoming = join(dir, 'incoming-3');
    await mkdir(incoming, { recursive: true });
    const first = await connectController(agent, farmKey, files, incoming);
    first.channel.send({ type: 'job.workspace', jobId: 'job-c', workspace: workspace() });
    await first.close();
    const second = await connectController(agent, farmKey, files, incoming);
    try {
      second.channel.send(assign('job-c', 'task-c', 1));
      const failed = await second.taskEnd('task-c', 1);
      assert.equal(failed.type === 'task.failed' && failed.error, NO_LIST('job-c'));
      // A task without `workspace` renders the scene alone, as before protocol 4 (here: its texture is missing, which fails the attempt).
      second.channel.send({ ...assign('job-c', 'task-c', 2), spec: { type: 'blender', frames: [1], outputName: 'shot', format: 'PNG', engine: 'CYCLES' } } as Message);
      const alone = await second.taskEnd('task-c', 2);
      assert.equal(alone.type, 'task.failed');
      assert.match(alone.type === 'task.failed' ? alone.error : '', /^The scene "shot\.blend" needs .*textures\/wood\.png, which is missing on this agent/);
      assert.equal(existsSync(join(workspaceDir('job-c'), 'scene.blend')), true, 'the scene alone, at the default place');
      second.channel.send({ type: 'job.ended', jobId: 'job-c' });
      await waitUntil(() => !existsSync(workspaceDir('job-c')), 'the workspace to go');
    } finally {
      await second.close();
    }
  });
});
