import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { open, mkdir, mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, before, describe, test } from 'node:test';
import { connectApi, type ApiClient } from '../../electron/controller/api/api-client.js';
import type { ApiEvent, JobSummary } from '../../electron/controller/api/contract.js';
import { generateFarmKey } from '../../node-agent/protocol/index.js';
import { makeTestScene } from '../fixtures/test-scene.js';
import { decodedPixelHash } from '../helpers/pixels.js';
import { Proc } from '../helpers/proc.js';

// A full disk on the controller's machine, for real: in a private mount namespace, a small
// tmpfs is mounted over the output folder and another over FARMHAND_HOME, and the controller
// runs inside it (`farmhand controller`, agents by address, no discovery) with a real agent
// outside rendering the test scene with Blender. The test fills either disk while a job runs:
// the job pauses with the sentence, no attempt is counted, it resumes by itself once space
// is freed and ends with every frame exactly once. A kill -9 while the data disk is full
// loses no job. A holder process keeps the namespace (and so the tmpfs contents) alive
// across the controller's kill; killing the holder removes both mounts with the namespace.

const root = fileURLToPath(new URL('../..', import.meta.url));
const TSX = ['--import', 'tsx'];
const FRAMES = 8;
const MiB = 1024 * 1024;

function rootAvailable(): boolean {
  if (process.getuid?.() !== 0) return false;
  return spawnSync('unshare', ['--mount', '--propagation', 'private', 'true'], { timeout: 5000 }).status === 0;
}

describe('a full disk on the controller pauses the job and resumes it by itself', { timeout: 180_000 }, () => {
  let dir: string;
  let scene: string;
  let out: string;
  let home: string;
  let holder: Proc;
  let agent: Proc;
  let agentUrl: string;
  const farmKey = generateFarmKey();
  const procs: Proc[] = [];
  /** A path as the namespace sees it (the tmpfs mounts exist only there). */
  const inside = (path: string) => `/proc/${holder.child.pid}/root${path}`;

  before(async () => {
    assert.ok(rootAvailable(), 'the disk-full test needs root and unshare (util-linux) for its mount namespace');
    dir = await mkdtemp(join(tmpdir(), 'fh-diskfull-'));
    out = join(dir, 'out');
    home = join(dir, 'home');
    await Promise.all([mkdir(out), mkdir(home), mkdir(join(dir, 'agent'))]);
    scene = await makeTestScene(dir, { frames: FRAMES, width: 64, height: 36, samples: 4 });
    holder = new Proc(spawn('unshare', ['--mount', '--propagation', 'private', '--', 'sh', '-c',
      'mount -t tmpfs -o size=16m farmhand-out "$1" && mount -t tmpfs -o size=16m farmhand-home "$2" && echo mounted && exec sleep 600', 'sh', out, home,
    ], { stdio: ['ignore', 'pipe', 'pipe'] }));
    procs.push(holder);
    await holder.waitFor(/^mounted$/, 10_000);
    agent = new Proc(spawn(process.execPath, [...TSX, 'node-agent/cli.ts', '--farm-key', farmKey, '--host', '127.0.0.1', '--port', '0', '--no-mdns', '--data-dir', join(dir, 'agent'), '--name', 'renderer'], {
      cwd: root, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, FARMHAND_FARM_KEY: '' },
    }));
    procs.push(agent);
    const listening = await agent.waitFor(/listening on 127\.0\.0\.1:\d+/, 30_000);
    agentUrl = `ws://127.0.0.1:${/127\.0\.0\.1:(\d+)/.exec(listening.text)![1]}`;
  });

  after(async () => {
    for (const p of procs.reverse()) {
      if (p.child.exitCode === null && p.child.signalCode === null) p.child.kill('SIGKILL');
      await Promise.race([p.exited, new Promise((r) => setTimeout(r, 3000))]);
    }
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  /** `farmhand controller` inside the namespace; resolves once its API listens, with a client. */
  async function startController(): Promise<{ proc: Proc; client: ApiClient; events: ApiEvent[] }> {
    const proc = new Proc(spawn('nsenter', ['--target', String(holder.child.pid), '--mount', `--wd=${root}`, '--', process.execPath, ...TSX, 'electron/cli/farmhand.ts',
      'controller', '--port', '0', '--no-discover', '--no-local-agent', '--agent', agentUrl,
    ], { cwd: root, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, FARMHAND_HOME: home, FARMHAND_FARM_KEY: farmKey, FARMHAND_MDNS_INTERFACE: '127.0.0.1' } }));
    procs.push(proc);
    const line = await proc.waitFor(/Farmhand controller listening on /, 30_000);
    const token = (await readFile(inside(join(home, 'api-token')), 'utf8')).trim();
    const client = await connectApi(line.text.replace(/^.*listening on /, '').trim(), token);
    const events: ApiEvent[] = [];
    client.onEvents((batch) => events.push(...batch));
    return { proc, client, events };
  }

  /** Writes a filler into a tmpfs until it is full to the last page; returns its path. */
  async function fill(mount: string, name: string): Promise<string> {
    const path = inside(join(mount, name));
    const file = await open(path, 'w');
    try {
      for (const size of [MiB, 4096]) {
        const block = Buffer.alloc(size, 7);
        for (let i = 0; i < 64 * MiB / size; i++) {
          const full = await file.write(block).then(() => false, (error: NodeJS.ErrnoException) => {
            if (error.code !== 'ENOSPC') throw error;
            return true;
          });
          if (full) break;
        }
      }
    } finally {
      await file.close();
    }
    return path;
  }

  const until = async <T>(what: string, get: () => Promise<T | undefined>, timeoutMs = 60_000): Promise<T> => {
    for (const end = Date.now() + timeoutMs; ;) {
      const value = await get();
      if (value !== undefined) return value;
      if (Date.now() > end) assert.fail(`timed out waiting for ${what}`);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  };
  const jobNow = (client: ApiClient, jobId: string) => client.call('jobs.get', { jobId });
  const framesIn = async (folder: string) => (await readdir(inside(folder)).catch(() => [] as string[])).filter((n) => /_\d{4}\.png$/.test(n)).sort();
  const expected = (prefix: string) => Array.from({ length: FRAMES }, (_, i) => `${prefix}_${String(i + 1).padStart(4, '0')}.png`);

  /** Every frame exactly once (names, no temp files left), equal to a direct Blender render pixel for pixel, each task tried once. */
  async function assertEveryFrameOnce(client: ApiClient, jobId: string, folder: string): Promise<void> {
    assert.deepEqual((await readdir(inside(folder))).sort(), expected('test-scene'));
    const tasks = await client.call('tasks.list', { jobId, limit: 1000 });
    assert.equal(tasks.total, FRAMES / 2);
    assert.deepEqual(tasks.items.flatMap((t) => t.outputs).sort(), expected('test-scene'), 'each frame collected by exactly one task');
    assert.ok(tasks.items.every((t) => t.state === 'succeeded' && t.failures === 0), `no attempt counted: ${JSON.stringify(tasks.items.map((t) => [t.label, t.failures, t.error]))}`);
    const ref = join(dir, 'ref');
    if (!(await readdir(ref).catch(() => null))) {
      const render = spawn('blender', ['-b', scene, '-noaudio', '--disable-autoexec', '-o', join(ref, 'ref_####'), '-F', 'PNG', '-a'], { stdio: 'ignore', env: { ...process.env, HOME: join(dir, 'scratch') } });
      assert.equal(await new Promise((r) => render.once('exit', r)), 0, 'direct blender render failed');
    }
    for (let f = 1; f <= FRAMES; f++) {
      const n = String(f).padStart(4, '0');
      assert.equal(await decodedPixelHash(inside(join(folder, `test-scene_${n}.png`))), await decodedPixelHash(join(ref, `ref_${n}.png`)), `frame ${f} differs from the direct render`);
    }
  }

  const started = Date.now();
  const mark = (what: string) => console.log(`${((Date.now() - started) / 1000).toFixed(1)} s: ${what}`);

  test('output disk: refused at submit when it cannot hold the job; full mid-job, the job pauses with the sentence and resumes once space is freed', async () => {
    const { proc, client, events } = await startController();
    try {
      // Full before the job: refused at submit, in one sentence, as the user's error (exit 2 from the CLI).
      const blocker = await fill(out, 'blocker.bin');
      const token = (await readFile(inside(join(home, 'api-token')), 'utf8')).trim();
      const refused = spawnSync(process.execPath, [...TSX, 'electron/cli/farmhand.ts', 'submit', scene, '--out', join(out, 'refused'), '--url', client.url, '--token', token], { cwd: root, encoding: 'utf8', timeout: 60_000 });
      assert.equal(refused.status, 2, refused.stderr);
      assert.match(refused.stderr, new RegExp(`^farmhand: The output disk ${out}/refused has \\d+(\\.\\d)? MB free, too little for this job \\(about .* MB: ${FRAMES} frame\\(s\\) of about .* MB\\); free some space there or choose another output folder\\.\\n$`));
      await rm(blocker);
      mark('refused at submit');

      const folder = join(out, 'frames');
      const job = await client.call('jobs.submit', { type: 'render', scenePath: scene, outputDir: folder, chunkSize: 2 });
      await until('a first frame', async () => ((await framesIn(folder)).length >= 1 ? true : undefined));
      const filler = await fill(out, 'filler.bin');
      mark('output disk filled');
      const paused = await until('the pause', async () => {
        const now = await jobNow(client, job.id);
        return now.pauseReason ? now : undefined;
      });
      assert.equal(paused.state, 'paused');
      mark('paused');
      assert.match(paused.pauseReason!, new RegExp(`^The output disk ${folder} is full \\(\\d+(\\.\\d)? MB free\\); the job resumes when there is room\\.$`));
      // Events come in batches (every 100 ms), so the notice may land just after the job's state is read.
      await until('the pause to be announced', async () => (events.some((e) => e.kind === 'notice' && e.level === 'warn' && new RegExp(`^Job "test-scene\\.blend" is paused: the output disk ${folder} is full \\(`).test(e.text)) ? true : undefined), 5_000);
      const listed = await client.call('jobs.list', {});
      assert.equal(listed.items.find((j) => j.id === job.id)?.pauseReason, paused.pauseReason);
      // What the command line shows: the state in the list, the sentence in the job's details.
      const cli = (...args: string[]) => spawnSync(process.execPath, [...TSX, 'electron/cli/farmhand.ts', ...args, '--url', client.url, '--token', token], { cwd: root, encoding: 'utf8', timeout: 30_000 });
      assert.match(cli('jobs').stdout, new RegExp(`^${job.id} +test-scene\\.blend +blender +paused \\(disk full\\) `, 'm'));
      assert.match(cli('job', job.id).stdout, new RegExp(`^Paused +The output disk ${folder} is full \\(`, 'm'));
      // Paused while full: it stays so (no attempt counted, no "every agent failed").
      await new Promise((resolve) => setTimeout(resolve, 3000));
      const still = await jobNow(client, job.id);
      assert.equal(still.state, 'paused');
      assert.equal(still.failedCount, 0);
      assert.ok((await framesIn(folder)).length < FRAMES);

      await rm(filler);
      mark('space freed');
      const done = await until('the job to end', async () => {
        const now = await jobNow(client, job.id);
        return ['succeeded', 'failed', 'canceled'].includes(now.state) ? now : undefined;
      }, 90_000);
      assert.equal(done.state, 'succeeded', `${done.failure ?? ''}\n${proc.text().slice(-3000)}`);
      mark('succeeded');
      assert.equal(done.pauseReason, undefined);
      assert.ok(events.some((e) => e.kind === 'notice' && e.level === 'info' && /^Job "test-scene\.blend" resumes: the output disk .* has room again/.test(e.text)));
      assert.doesNotMatch(proc.text(), /arrived damaged|failed its check|Every agent/);
      await assertEveryFrameOnce(client, job.id, folder);
    } finally {
      await client.close();
      proc.child.kill('SIGTERM');
      await proc.exited;
    }
  });

  test('data disk: full mid-job, the job pauses; a kill -9 then loses no job, and after a restart with space it completes', async () => {
    const first = await startController();
    const folder = join(out, 'frames-2');
    let jobId: string;
    try {
      const job = await first.client.call('jobs.submit', { type: 'render', scenePath: scene, outputDir: folder, chunkSize: 2 });
      jobId = job.id;
      await until('a first frame', async () => ((await framesIn(folder)).length >= 1 ? true : undefined));
      await fill(home, 'filler.bin');
      mark('data disk filled');
      const paused = await until('the pause', async () => {
        const now = await jobNow(first.client, job.id);
        return now.pauseReason ? now : undefined;
      });
      assert.match(paused.pauseReason!, new RegExp(`^The data disk ${home} is full \\(\\d+(\\.\\d)? MB free\\); the job resumes when there is room\\.$`));
      assert.doesNotMatch(first.proc.text(), /Saving the job store failed/, 'a full disk is one pause, not a notice per failed write');
      // An upload now is refused as such, not with a generic failure.
      const token = (await readFile(inside(join(home, 'api-token')), 'utf8')).trim();
      const upload = await fetch(`${first.client.url.replace(/^ws/, 'http')}/uploads?name=clip.bin`, { method: 'POST', headers: { authorization: `Bearer ${token}` }, body: Buffer.alloc(256 * 1024, 1) });
      assert.equal(upload.status, 507);
      assert.match(await upload.text(), new RegExp(`^The data disk ${home}/uploads is full \\(\\d+(\\.\\d)? MB free\\), so the upload was not saved; free some space there and upload again\\.\\n$`));
      // A job submitted now is refused, never taken and then lost (the store could not hold it).
      await assert.rejects(first.client.call('jobs.submit', { type: 'render', scenePath: scene, outputDir: join(out, 'frames-3'), chunkSize: 2 }), (error: Error) => {
        assert.match(error.message, new RegExp(`^The data disk ${home} (has \\d+(\\.\\d)? MB free, too little to store this job|is full, so the job could not be saved and was not taken); free some space there`));
        return true;
      });
    } finally {
      await first.client.close();
    }
    // Killed while the data disk is still full.
    mark('data disk paused');
    first.proc.child.kill('SIGKILL');
    await first.proc.exited;
    // No partial temp file is left in the store to hold on to the space.
    const jobFiles = await readdir(inside(join(home, 'store', 'jobs', jobId)));
    assert.deepEqual(jobFiles.filter((n) => n.endsWith('.tmp')), []);
    await rm(inside(join(home, 'filler.bin')));

    const second = await startController();
    mark('restarted');
    try {
      assert.doesNotMatch(second.proc.text(), /set aside|unreadable|never completely saved/);
      const jobs = await second.client.call('jobs.list', {});
      assert.ok(jobs.items.some((j: JobSummary) => j.id === jobId), 'the job is still there after the kill');
      assert.equal(jobs.total, 2, 'the first test\'s job and this one; the refused one was never taken');
      const done = await until('the job to end', async () => {
        const now = await jobNow(second.client, jobId);
        return ['succeeded', 'failed', 'canceled'].includes(now.state) ? now : undefined;
      }, 90_000);
      assert.equal(done.state, 'succeeded', `${done.failure ?? ''}\n${second.proc.text().slice(-3000)}`);
      mark('succeeded after the restart');
      await assertEveryFrameOnce(second.client, jobId, folder);
    } finally {
      await second.client.close();
      second.proc.child.kill('SIGTERM');
      await second.proc.exited;
    }
  });
});
