import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { readdir, readFile, writeFile } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { after, before, test } from 'node:test';
import { compileBlenderJob } from '../../electron/controller/jobs/blender/blender-job.js';
import { readFrameList } from '../../electron/controller/jobs/frame-list.js';
import type { JobRecord } from '../../electron/controller/model/job-model.js';
import { describeFile, type BlenderTaskSpec, type MessageOf } from '../../node-agent/protocol/index.js';
import { fileRef, startHostileAgent, type HostileAgent, type HostilePeer } from '../helpers/hostile-agent.js';
import { startLoopbackFarm, type LoopbackFarm } from '../helpers/loopback-farm.js';

// An agent with the right farm key that lies about what it made, against a real controller on
// loopback. Each job is frames 1-2, one frame per task: frame 1 is sent honestly and put in
// place, then the first attempt at frame 2 lies. Each lie must fail that attempt with a sentence
// that names it; the second attempt is honest, so the job ends with both frames, exactly the
// bytes sent honestly, and nothing anywhere else on disk.

const sha256 = (bytes: Buffer) => createHash('sha256').update(bytes).digest('hex');
const GiB = 1024 ** 3;
const MiB = 1024 ** 2;

let farm: LoopbackFarm;
let hostile: HostileAgent;
let root: string;
let scene: string;
/** Every error a task showed, in order (a task's error is cleared when it later succeeds). */
const taskErrors: string[] = [];

before(async () => {
  farm = await startLoopbackFarm({ agents: [] });
  root = farm.dir;
  scene = join(root, 'scene.blend');
  await writeFile(scene, 'BLENDER-v304: the hostile agent never asks for it');
  hostile = await startHostileAgent(farm.farmKey);
  farm.controller.pool.add(hostile.url);
  farm.controller.events.on('task', (task) => {
    if (task.error && taskErrors.at(-1) !== task.error) taskErrors.push(task.error);
  });
  await farm.waitFor(() => farm.controller.agents().some((a) => a.online), 'the hostile agent online');
});

after(async () => {
  await hostile?.close();
  await farm?.close();
});

const frameName = (frame: number) => `scene_${String(frame).padStart(4, '0')}.png`;
const keyOf = (assign: MessageOf<'task.assign'>) => ({ taskId: assign.taskId, attempt: assign.attempt });

/** What a real agent does: each frame sent as it is saved, then `task.done` listing it; sent again when fetched. */
async function renderHonestly(assign: MessageOf<'task.assign'>, peer: HostilePeer, bytes: Buffer): Promise<void> {
  const key = keyOf(assign);
  const name = frameName((assign.spec as BlenderTaskSpec).frames[0]!);
  peer.onFetch(key, async () => void await peer.sendFile(key, name, bytes));
  const ref = await peer.sendFile(key, name, bytes);
  peer.send({ type: 'task.done', ...key, outputs: [ref], elapsedMs: 5 });
}

interface Outcome {
  job: JobRecord;
  outputDir: string;
  /** The bytes the honest attempts sent, by frame. */
  honest: Map<number, Buffer>;
  /** The hash of frame 1 on disk just before the lie began. */
  frame1BeforeLie: string;
}

/** One job of frames 1-2 whose first attempt at frame 2 runs `lie` (after frame 1 is in place and acknowledged). */
async function runJob(label: string, lie: (assign: MessageOf<'task.assign'>, peer: HostilePeer) => Promise<void>): Promise<Outcome> {
  const outputDir = join(root, 'out', label);
  const job = compileBlenderJob({ scenePath: scene, frames: readFrameList('1-2'), chunkSize: 1, outputDir }, { scene: await describeFile(scene, 'scene.blend'), scenePath: scene, sceneInfo: null, agentCount: 1 });
  const honest = new Map<number, Buffer>([[1, randomBytes(3000)], [2, randomBytes(5000)]]);
  let frame1BeforeLie = '';
  hostile.behave = async (assign, peer) => {
    const frame = (assign.spec as BlenderTaskSpec).frames[0]!;
    if (frame !== 2 || assign.attempt !== 1) return renderHonestly(assign, peer, honest.get(frame)!);
    await hostile.waitFor((m) => m.type === 'output.ack' && m.taskId === job.tasks[0]!.id, 'frame 1 to be acknowledged');
    frame1BeforeLie = sha256(await readFile(join(outputDir, frameName(1))));
    return lie(assign, peer);
  };
  farm.controller.submit(job);
  let timer: NodeJS.Timeout | undefined;
  const summary = await Promise.race([
    farm.controller.waitForJob(job.id),
    new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(`${label}: the job did not end within 30 s; task errors: ${taskErrors.join(' | ')}`)), 30_000))),
  ]).finally(() => clearTimeout(timer));
  assert.equal(summary.state, 'succeeded', `${label}: ${summary.failure ?? ''} | notices: ${farm.notices.join(' | ')}`);
  return { job, outputDir, honest, frame1BeforeLie };
}

/**
 * The lie failed exactly one attempt of frame 2 and the job ended with the honest bytes only.
 * A lie about the task's outputs also stops the attempt on the agent (task.cancel); a file that
 * fails its check is fetched again first, within the bound (`fetches` times in all).
 */
async function assertLieRefused(o: Outcome, sentence: string, judged: { fetches: number } | 'canceled' = 'canceled'): Promise<void> {
  const [frame1, frame2] = o.job.tasks;
  assert.ok(taskErrors.includes(sentence), `the task's error was not ${JSON.stringify(sentence)}; errors: ${taskErrors.join(' | ')}`);
  assert.equal(frame2!.failures, 1, 'the lying attempt counts as one failure');
  assert.equal(frame2!.attempt, 2, 'frame 2 ran again');
  assert.equal(frame1!.failures, 0);
  if (judged === 'canceled') assert.ok(hostile.received.some((m) => m.type === 'task.cancel' && m.taskId === frame2!.id && m.attempt === 1), 'the lying attempt was canceled on the agent');
  else assert.equal(hostile.received.filter((m) => m.type === 'output.fetch' && m.taskId === frame2!.id && m.attempt === 1).length, judged.fetches, 'fetches of the lying attempt\'s frame');
  assert.deepEqual((await readdir(o.outputDir)).sort(), [frameName(1), frameName(2)], 'exactly the two frames, no temp file left');
  const frame1Now = sha256(await readFile(join(o.outputDir, frameName(1))));
  assert.equal(frame1Now, o.frame1BeforeLie, 'frame 1 kept its bytes through the lie');
  assert.equal(frame1Now, sha256(o.honest.get(1)!));
  assert.equal(sha256(await readFile(join(o.outputDir, frameName(2)))), sha256(o.honest.get(2)!));
}

test('task.done with outputs [] fails the attempt, naming the missing frame', async () => {
  const o = await runJob('empty', async (assign, peer) => {
    peer.send({ type: 'task.done', ...keyOf(assign), outputs: [], elapsedMs: 5 });
  });
  await assertLieRefused(o, 'Agent hostile reported task frame 2 done without scene_0002.png, so its result was not accepted.');
});

test('task.done listing the wrong frame fails the attempt, naming both the missing and the extra one', async () => {
  const o = await runJob('wrong-frames', async (assign, peer) => {
    peer.send({ type: 'task.done', ...keyOf(assign), outputs: [fileRef('scene_0003.png', randomBytes(100))], elapsedMs: 5 });
  });
  await assertLieRefused(o, 'Agent hostile reported task frame 2 done without scene_0002.png and with scene_0003.png, which the task does not make, so its result was not accepted.');
});

test('frame 2\'s task sending random bytes as scene_0001.png fails, and the committed frame 1 keeps its bytes', async () => {
  const o = await runJob('overwrite', async (assign, peer) => {
    const key = keyOf(assign);
    await peer.sendLie(key, { name: 'scene_0001.png', bytes: randomBytes(3000) });
    peer.send({ type: 'task.done', ...key, outputs: [fileRef('scene_0001.png', randomBytes(3000))], elapsedMs: 5 });
  });
  await assertLieRefused(o, 'Agent hostile sent scene_0001.png for task frame 2, which the task does not make, so its result was not accepted.');
});

test('a frame announced at 60 GiB is refused before a byte is written, and fails the attempt', async () => {
  let sent = 0;
  const o = await runJob('oversize', async (assign, peer) => {
    const bytes = randomBytes(32 * MiB);
    sent = bytes.length;
    await peer.sendLie(keyOf(assign), { name: 'scene_0002.png', bytes, announce: { size: 60 * GiB } });
  });
  assert.equal(sent, 32 * MiB);
  await assertLieRefused(o, 'Agent hostile announced scene_0002.png of task frame 2 at 60 GiB, more than the 8 GiB an output of a blender task may have, so its result was not accepted.');
});

test('a frame longer than announced is cut at its size, is not fetched again, and the attempt fails with the reason', async () => {
  const o = await runJob('longer', async (assign, peer) => {
    const key = keyOf(assign);
    const bytes = randomBytes(8 * MiB);
    const announce = { size: 1000, sha256: sha256(bytes.subarray(0, 1000)) };
    const lie = () => peer.sendLie(key, { name: 'scene_0002.png', bytes, announce });
    peer.onFetch(key, lie);
    await lie();
    peer.send({ type: 'task.done', ...key, outputs: [{ name: 'scene_0002.png', ...announce }], elapsedMs: 5 });
  });
  await assertLieRefused(o, 'Agent hostile sent more of scene_0002.png than the 1000 bytes it announced for task frame 2, so its result was not accepted.');
});

test('a frame whose stream never ends is cut at its announced size, and the attempt fails with the reason', async () => {
  const o = await runJob('endless', async (assign, peer) => {
    const key = keyOf(assign);
    const bytes = randomBytes(16 * MiB); // "endless": far past the announced size, and no file.end
    const announce = { size: 1000, sha256: sha256(bytes.subarray(0, 1000)) };
    const lie = () => peer.sendLie(key, { name: 'scene_0002.png', bytes, announce, end: false });
    peer.onFetch(key, lie);
    await lie();
    peer.send({ type: 'task.done', ...key, outputs: [{ name: 'scene_0002.png', ...announce }], elapsedMs: 5 });
  });
  await assertLieRefused(o, 'Agent hostile sent more of scene_0002.png than the 1000 bytes it announced for task frame 2, so its result was not accepted.');
});

test('an output named with a path that climbs out of the folder fails the attempt, and nothing is written there', async () => {
  const o = await runJob('traversal', async (assign, peer) => {
    await peer.sendLie(keyOf(assign), { name: '../../escape.png', bytes: randomBytes(2000) });
  });
  await assertLieRefused(o, 'Agent hostile sent "../../escape.png" for task frame 2, which the task does not make, so its result was not accepted.');
});

test('after every lie: no file anywhere but the frames in their job folders (no escape, no temp file, no partial 60 GiB)', async () => {
  const files: string[] = [];
  const walk = async (dir: string): Promise<void> => {
    for (const entry of await readdir(dir, { withFileTypes: true })) {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) await walk(path);
      else files.push(relative(root, path));
    }
  };
  await walk(root);
  const outside = files.filter((f) => !f.startsWith('controller/') && f !== 'scene.blend');
  const jobs = ['empty', 'wrong-frames', 'overwrite', 'oversize', 'longer', 'endless', 'traversal'];
  assert.deepEqual(outside.sort(), jobs.flatMap((j) => [`out/${j}/scene_0001.png`, `out/${j}/scene_0002.png`]).sort());
});
