import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { JobRecord, TaskRecord } from '../model/job-model.js';
import { CoalescedWriter } from './coalesced-writer.js';
import { flushOnExit } from './flush-on-exit.js';
import { JobStore, summarizeJob, type JobStoreOptions } from './job-store.js';

function makeTask(jobId: string, index: number): TaskRecord {
  return {
    id: `${jobId}-t${index}`,
    jobId,
    index,
    label: `task ${index}`,
    state: 'queued',
    attempt: 0,
    failures: 0,
    spec: { type: 'noop' },
    inputs: [],
    dependsOn: [],
    agentId: null,
    progress: 0,
    outputs: [],
    collected: [],
    error: null,
    startedAt: null,
    endedAt: null,
  };
}

function makeJob(id: string, taskCount = 3): JobRecord {
  return {
    id,
    name: `job ${id}`,
    type: 'noop',
    priority: 0,
    createdAt: 1_700_000_000_000,
    paused: false,
    failure: null,
    canceled: false,
    tags: [],
    outputDir: `/tmp/out/${id}`,
    inputFiles: [],
    settings: {},
    tasks: Array.from({ length: taskCount }, (_, i) => makeTask(id, i)),
    endedAt: null,
  };
}

/** A temp data folder, removed when the test ends. */
async function dataDir(t: { after(fn: () => Promise<void>): void }): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'farmhand-store-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  return dir;
}

/** Opens a store that counts its writes per file. */
async function openCounting(dir: string, o: JobStoreOptions = {}) {
  const writes = new Map<string, number>();
  const errors: Error[] = [];
  const store = await JobStore.open(dir, {
    onError: (e) => errors.push(e),
    onWrite: (file) => writes.set(file, (writes.get(file) ?? 0) + 1),
    ...o,
  });
  return { store, writes, errors };
}

const jobFile = (dir: string, id: string) => join(dir, 'store', 'jobs', `${id}.json`);
const indexFile = (dir: string) => join(dir, 'store', 'index.json');
const readJson = async (file: string): Promise<unknown> => JSON.parse(await readFile(file, 'utf8'));
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

test('round trip: add, update in place, close, reopen gives the same jobs and summaries', async (t) => {
  const dir = await dataDir(t);
  const { store, errors } = await openCounting(dir);
  const a = makeJob('job-a', 4);
  const b = makeJob('job_b', 2);
  store.add(a, summarizeJob(a));
  store.add(b, summarizeJob(b));
  a.tasks[1]!.state = 'succeeded';
  a.tasks[2]!.state = 'running';
  a.tasks[2]!.progress = 0.5;
  a.tasks[2]!.agentId = 'agent-1';
  store.update(a.id, summarizeJob(a));
  await store.close();

  const again = await JobStore.open(dir);
  assert.deepEqual(again.problems, []);
  assert.deepEqual(again.jobs(), [a, b]);
  assert.deepEqual(again.get('job-a'), a);
  assert.deepEqual(again.summaries(), [summarizeJob(a), summarizeJob(b)]);
  assert.equal(again.summaries()[0]!.state, 'running');
  assert.deepEqual(await readJson(indexFile(dir)), [summarizeJob(a), summarizeJob(b)]);
  assert.deepEqual(errors, []);
  await again.close();
});

test('coalescing: 10,000 updates to one job in a tight loop cause a handful of writes and the last state lands', async (t) => {
  const dir = await dataDir(t);
  const { store, writes } = await openCounting(dir);
  const job = makeJob('busy', 100);
  store.add(job, summarizeJob(job));
  for (let i = 0; i < 10_000; i++) {
    const task = job.tasks[i % 100]!;
    task.progress = i / 10_000;
    task.state = i === 9_999 ? 'succeeded' : 'running';
    store.update(job.id, summarizeJob(job));
  }
  await store.flush();
  const jobWrites = writes.get(jobFile(dir, 'busy')) ?? 0;
  assert.ok(jobWrites >= 1 && jobWrites <= 3, `expected 1-3 writes of the job, got ${jobWrites}`);
  assert.ok((writes.get(indexFile(dir)) ?? 0) <= 3);
  const onDisk = (await readJson(jobFile(dir, 'busy'))) as JobRecord;
  assert.deepEqual(onDisk, job);
  assert.equal(onDisk.tasks[99]!.state, 'succeeded');
  assert.equal(onDisk.tasks[99]!.progress, 9_999 / 10_000);
  await store.close();
});

test('an update rewrites only its own job document', async (t) => {
  const dir = await dataDir(t);
  const { store, writes } = await openCounting(dir);
  const a = makeJob('a');
  const b = makeJob('b');
  store.add(a, summarizeJob(a));
  store.add(b, summarizeJob(b));
  await store.flush();
  writes.clear();
  a.tasks[0]!.progress = 0.25; // summary unchanged: the index is not rewritten either
  store.update('a', summarizeJob(a));
  await store.flush();
  assert.deepEqual([...writes.entries()], [[jobFile(dir, 'a'), 1]]);
  await store.close();
});

test('writer: changes made while a write is in flight cause exactly one more write', async (t) => {
  const dir = await dataDir(t);
  const value = { n: 0 };
  let snapshots = 0;
  let writes = 0;
  let markedWhileWriting = false;
  const writer: CoalescedWriter<{ n: number }> = new CoalescedWriter(join(dir, 'doc.json'), () => {
    snapshots++;
    if (snapshots === 1) {
      setImmediate(() => {
        markedWhileWriting = writer.writing;
        for (let i = 0; i < 100; i++) {
          value.n++;
          writer.markDirty();
        }
      });
    }
    return value;
  }, { delayMs: 0, onWrite: () => writes++ });
  writer.markDirty();
  await sleep(50);
  await writer.flush();
  assert.equal(markedWhileWriting, true, 'the marks should land while the first write is in flight');
  assert.equal(writes, 2);
  assert.equal(snapshots, 2);
  assert.deepEqual(await readJson(join(dir, 'doc.json')), { n: 100 });
  assert.equal(writer.dirty, false);
  await writer.close();
});

test('writer: a failed write is reported through onError, never thrown, and retried on flush', async (t) => {
  const dir = await dataDir(t);
  const folder = join(dir, 'gone');
  const errors: Error[] = [];
  const writer = new CoalescedWriter(join(folder, 'doc.json'), () => ({ ok: true }), { delayMs: 0, onError: (e) => errors.push(e) });
  writer.markDirty(); // the folder does not exist yet: the write fails
  await sleep(30);
  assert.equal(errors.length, 1);
  assert.match(errors[0]!.message, /Could not write .*doc\.json/);
  assert.equal(writer.dirty, true);
  await assert.rejects(writer.flush(), /Could not write/); // still failing: flush says so
  await (await import('node:fs/promises')).mkdir(folder);
  await writer.flush(); // the retry succeeds
  assert.deepEqual(await readJson(join(folder, 'doc.json')), { ok: true });
  assert.equal(writer.dirty, false);
  await writer.close();
});

test('writer: a document slow to serialise is written less often (busyShare), and flush does not wait for that', async (t) => {
  const dir = await dataDir(t);
  let writes = 0;
  const slow = () => {
    const until = performance.now() + 3; // 3 ms of "stringify" → at 1% share, 300 ms until the next write
    while (performance.now() < until);
    return { writes };
  };
  const writer = new CoalescedWriter(join(dir, 'doc.json'), slow, { delayMs: 0, busyShare: 0.01, onWrite: () => writes++ });
  writer.markDirty();
  await writer.flush();
  writer.markDirty();
  await sleep(60);
  assert.equal(writes, 1, 'the second write should still be held back');
  assert.equal(writer.dirty, true);
  await writer.flush();
  assert.equal(writes, 2);
  await writer.close();
});

test('atomicity: the files on disk always parse while writes stream for about a second', async (t) => {
  const dir = await dataDir(t);
  const { store, writes } = await openCounting(dir, { delayMs: 0 });
  const job = makeJob('stream', 2_000);
  store.add(job, summarizeJob(job));
  await store.flush();
  const deadline = Date.now() + 1_000;
  let reads = 0;
  const reader = async (file: string) => {
    while (Date.now() < deadline) {
      const text = await readFile(file, 'utf8');
      JSON.parse(text); // throws (and fails the test) on a torn or empty file
      reads++;
    }
  };
  const writerLoop = async () => {
    for (let i = 0; Date.now() < deadline; i++) {
      const task = job.tasks[i % job.tasks.length]!;
      task.progress = (i % 100) / 100;
      task.state = i % 3 === 0 ? 'running' : 'assigned';
      store.update(job.id, summarizeJob(job));
      await new Promise((resolve) => setImmediate(resolve));
    }
  };
  await Promise.all([writerLoop(), reader(jobFile(dir, 'stream')), reader(jobFile(dir, 'stream')), reader(indexFile(dir))]);
  await store.close();
  assert.ok((writes.get(jobFile(dir, 'stream')) ?? 0) > 5, 'the loop should have written many times');
  assert.ok(reads > 10, `only ${reads} reads`);
  assert.deepEqual(await readJson(jobFile(dir, 'stream')), job);
});

test('a corrupt job file is set aside and reported, and the other jobs still load', async (t) => {
  const dir = await dataDir(t);
  const first = await JobStore.open(dir);
  const jobs = ['a', 'b', 'c'].map((id) => makeJob(id));
  for (const job of jobs) first.add(job, summarizeJob(job));
  await first.close();
  await writeFile(jobFile(dir, 'b'), '{"id":"b","name":"job b","tas');

  const store = await JobStore.open(dir);
  assert.deepEqual(store.jobs().map((j) => j.id), ['a', 'c']);
  assert.equal(store.problems.length, 1);
  assert.match(store.problems[0]!, /b\.json/);
  assert.match(store.problems[0]!, /set aside as b\.json\.corrupt-/);
  const names = await readdir(join(dir, 'store', 'jobs'));
  assert.ok(!names.includes('b.json'));
  const aside = names.find((n) => n.startsWith('b.json.corrupt-'));
  assert.ok(aside, `no set-aside file in ${names.join(', ')}`);
  assert.equal(await readFile(join(dir, 'store', 'jobs', aside), 'utf8'), '{"id":"b","name":"job b","tas');
  await store.close();
  assert.deepEqual(((await readJson(indexFile(dir))) as { id: string }[]).map((s) => s.id), ['a', 'c']);
});

test('a job file holding the wrong shape is set aside too', async (t) => {
  const dir = await dataDir(t);
  await JobStore.open(dir).then((s) => s.close());
  await writeFile(jobFile(dir, 'x'), JSON.stringify({ id: 'other', tasks: [] }));
  const store = await JobStore.open(dir);
  assert.deepEqual(store.jobs(), []);
  assert.match(store.problems[0] ?? '', /x\.json \(it holds job other, not x\); it was set aside/);
  await store.close();
});

test('a corrupt index is set aside and rebuilt from the job files', async (t) => {
  const dir = await dataDir(t);
  const first = await JobStore.open(dir);
  const a = makeJob('a');
  const b = makeJob('b');
  b.tasks.forEach((task) => (task.state = 'succeeded'));
  first.add(a, summarizeJob(a));
  first.add(b, summarizeJob(b));
  await first.close();
  await writeFile(indexFile(dir), '\0\0\0garbage');

  const store = await JobStore.open(dir);
  assert.equal(store.problems.length, 1);
  assert.match(store.problems[0]!, /index\.json .*set aside as index\.json\.corrupt-.* rebuilt from the job files/);
  assert.deepEqual(store.jobs().map((j) => j.id).sort(), ['a', 'b']);
  assert.deepEqual(
    store.summaries().sort((x, y) => x.id.localeCompare(y.id)),
    [summarizeJob(a), summarizeJob(b)],
  );
  assert.equal(store.summaries().find((s) => s.id === 'b')!.state, 'succeeded');
  await store.close();
  const rebuilt = (await readJson(indexFile(dir))) as { id: string }[];
  assert.deepEqual(rebuilt.map((s) => s.id).sort(), ['a', 'b']);
  assert.ok((await readdir(join(dir, 'store'))).some((n) => n.startsWith('index.json.corrupt-')));
});

test('an index entry whose job file is missing is dropped and reported', async (t) => {
  const dir = await dataDir(t);
  const first = await JobStore.open(dir);
  for (const id of ['a', 'b']) first.add(makeJob(id), summarizeJob(makeJob(id)));
  await first.close();
  await rm(jobFile(dir, 'a'));
  const store = await JobStore.open(dir);
  assert.deepEqual(store.jobs().map((j) => j.id), ['b']);
  assert.match(store.problems[0] ?? '', /lists job a but its file .*a\.json is missing/);
  await store.close();
});

test('documents are compact JSON: no newlines or indentation', async (t) => {
  const dir = await dataDir(t);
  const store = await JobStore.open(dir);
  const job = makeJob('compact', 5);
  store.add(job, summarizeJob(job));
  await store.close();
  for (const file of [jobFile(dir, 'compact'), indexFile(dir)]) {
    const text = await readFile(file, 'utf8');
    assert.ok(!text.includes('\n'), `${file} has newlines`);
    assert.equal(text, JSON.stringify(JSON.parse(text)));
  }
});

test('job ids that are not safe file names are refused before touching the disk', async (t) => {
  const dir = await dataDir(t);
  const store = await JobStore.open(dir);
  for (const id of ['../escape', 'a/b', '', 'x'.repeat(65), 'dot.json']) {
    assert.throws(() => store.add(makeJob(id), summarizeJob(makeJob(id))), /cannot be stored/);
  }
  await store.close();
  assert.deepEqual(await readdir(join(dir, 'store', 'jobs')), []);
  assert.deepEqual(await readdir(dir), ['store']);
});

test('remove deletes the job file and its index entry; the id can be used again', async (t) => {
  const dir = await dataDir(t);
  const store = await JobStore.open(dir);
  const a = makeJob('a');
  store.add(a, summarizeJob(a));
  store.add(makeJob('b'), summarizeJob(makeJob('b')));
  await store.flush();
  a.tasks[0]!.progress = 0.9;
  store.update('a', summarizeJob(a)); // a pending write must not bring the file back
  assert.equal(await store.remove('a'), true);
  assert.equal(await store.remove('a'), false);
  await store.flush();
  assert.deepEqual(await readdir(join(dir, 'store', 'jobs')), ['b.json']);
  assert.deepEqual(((await readJson(indexFile(dir))) as { id: string }[]).map((s) => s.id), ['b']);
  const again = makeJob('a', 1);
  store.add(again, summarizeJob(again));
  await store.close();
  assert.deepEqual(await readJson(jobFile(dir, 'a')), again);
});

test('changes after close are reported, not thrown and not written', async (t) => {
  const dir = await dataDir(t);
  const { store, errors } = await openCounting(dir);
  const job = makeJob('late');
  store.add(job, summarizeJob(job));
  await store.close();
  job.tasks[0]!.progress = 1;
  store.update('late', summarizeJob(job));
  assert.match(errors[0]?.message ?? '', /closed; a change to job late was not saved/);
  assert.equal(((await readJson(jobFile(dir, 'late'))) as JobRecord).tasks[0]!.progress, 0);
});

test('flushOnExit registers its handlers and the returned function removes them', () => {
  const before = ['SIGINT', 'SIGTERM', 'beforeExit'].map((e) => process.listenerCount(e));
  const unregister = flushOnExit({ flush: async () => undefined });
  assert.deepEqual(['SIGINT', 'SIGTERM', 'beforeExit'].map((e) => process.listenerCount(e)), before.map((n) => n + 1));
  unregister();
  assert.deepEqual(['SIGINT', 'SIGTERM', 'beforeExit'].map((e) => process.listenerCount(e)), before);
});

test('flushOnExit: SIGTERM flushes pending writes, then the process ends by the signal', async (t) => {
  const dir = await dataDir(t);
  const here = (name: string) => pathToFileURL(join(import.meta.dirname, name)).href;
  const script = join(dir, 'child.mts');
  await writeFile(
    script,
    `import { JobStore, summarizeJob } from ${JSON.stringify(here('job-store.ts'))};
import { flushOnExit } from ${JSON.stringify(here('flush-on-exit.ts'))};
const store = await JobStore.open(${JSON.stringify(dir)}, { delayMs: 60_000 });
const job = ${JSON.stringify(makeJob('signal'))};
store.add(job, summarizeJob(job));
flushOnExit(store);
setInterval(() => undefined, 1000);
console.log('ready');
`,
  );
  const child = spawn(process.execPath, ['--import', 'tsx', script], { cwd: join(import.meta.dirname, '..', '..', '..'), stdio: ['ignore', 'pipe', 'inherit'] });
  const killTimer = setTimeout(() => child.kill('SIGKILL'), 20_000);
  t.after(() => clearTimeout(killTimer));
  await new Promise<void>((resolve, reject) => {
    child.stdout.on('data', (chunk: Buffer) => (chunk.toString().includes('ready') ? resolve() : undefined));
    child.on('exit', () => reject(new Error('the child exited before it was ready')));
  });
  child.kill('SIGTERM');
  const [code, signal] = await new Promise<[number | null, string | null]>((resolve) => child.on('exit', (c, s) => resolve([c, s])));
  assert.equal(signal, 'SIGTERM');
  assert.equal(code, null);
  assert.equal(((await readJson(jobFile(dir, 'signal'))) as JobRecord).id, 'signal');
});
