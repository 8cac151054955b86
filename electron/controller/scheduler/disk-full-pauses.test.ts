import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import type { Message } from '../../../node-agent/protocol/index.js';
import type { AgentRuntime } from '../agents/agent-runtime.js';
import { compileNoopJob } from '../jobs/noop/noop-job.js';
import type { JobSummary, TaskRecord } from '../model/job-model.js';
import { DiskFullPauses } from './disk-full-pauses.js';
import { JobRuntime } from './job-runtime.js';

// The pauses run against the real free space of a real folder (statfs): a failed write of a few
// bytes leaves room enough at once, one of more bytes than any disk has never does.

const UNFITTABLE = Number.MAX_SAFE_INTEGER / 4;

async function setup(t: { after(fn: () => Promise<void>): void }) {
  const dir = await mkdtemp(join(tmpdir(), 'farmhand-diskfull-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  const tasks = new Map<string, TaskRecord>();
  const record = compileNoopJob({ count: 2, outputDir: dir, name: 'frames' });
  const job = new JobRuntime(record, tasks);
  const sent: Message[] = [];
  const agent = { agentId: 'a1', name: 'box', online: true, collecting: new Set<string>(), running: new Map(), link: { send: (m: Message) => sent.push(m) } } as unknown as AgentRuntime;
  const notices: string[] = [];
  const changes: JobSummary[] = [];
  let dispatches = 0;
  const saves: (boolean | 'denied')[] = [];
  const pauses = new DiskFullPauses({
    state: { jobs: new Map([[job.id, job]]), tasks, agents: new Map([['a1', agent]]) },
    events: { notice: (level, text) => notices.push(`${level}: ${text}`), jobChanged: (s) => changes.push(s) },
    dispatchSoon: () => dispatches++,
    saveAll: async () => {
      const next = saves.shift();
      if (next === 'denied') throw Object.assign(new Error('permission denied'), { code: 'EACCES' });
      if (!next) throw Object.assign(new Error('no space left on device'), { code: 'ENOSPC' });
    },
    intervalMs: 20,
  });
  t.after(async () => pauses.stop());
  return { dir, job, agent, sent, notices, changes, saves, pauses, dispatches: () => dispatches };
}

const until = async (what: string, ok: () => boolean) => {
  for (const end = Date.now() + 3000; !ok(); ) {
    if (Date.now() > end) assert.fail(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
};

test('an output disk with no room pauses the job in one sentence; with room again it resumes and fetches what its agent held', async (t) => {
  const s = await setup(t);
  const task = s.job.record.tasks[0]!;
  task.state = 'running';
  task.attempt = 1;
  task.agentId = 'a1';
  task.outputs = [{ name: 'a.bin', sha256: 'a'.repeat(64), size: 10 }, { name: 'b.bin', sha256: 'b'.repeat(64), size: 10 }];
  task.collected = ['a.bin'];
  s.agent.collecting.add(task.id);

  s.pauses.outputDiskFull(s.job, { path: s.dir, bytes: UNFITTABLE, waiting: { task, agentId: 'a1' } });
  assert.equal(s.job.state, 'paused'); // at once: no task of it starts while the space is measured
  await until('the pause notice', () => s.notices.length === 1);
  const sentence = new RegExp(`^the output disk ${s.dir} is full \\(\\d+(\\.\\d)? MB free\\); the job resumes when there is room$`);
  assert.match(s.notices[0]!.replace('warn: Job "frames" is paused: ', '').replace(/\.$/, ''), sentence);
  assert.match(s.changes.at(-1)!.pauseReason!, /^The output disk .* is full \(\d+(\.\d)? MB free\); the job resumes when there is room\.$/);
  assert.equal(s.changes.at(-1)!.state, 'paused');
  await new Promise((resolve) => setTimeout(resolve, 100)); // several rounds of measuring: still no room
  assert.deepEqual(s.pauses.pausedJobIds, [s.job.id]);
  assert.equal(s.sent.length, 0);

  // The same disk, a small write failing now: its room is what the largest failed write needs, so still paused.
  s.pauses.outputDiskFull(s.job, { path: s.dir, bytes: 10 });
  await new Promise((resolve) => setTimeout(resolve, 60));
  assert.equal(s.job.state, 'paused');
  assert.equal(s.notices.length, 1, 'one notice per pause, not per failed write');
});

test('the job resumes by itself once its disk has room, and the outputs its agent held are fetched (only those missing)', async (t) => {
  const s = await setup(t);
  const task = s.job.record.tasks[1]!;
  task.state = 'running';
  task.attempt = 2;
  task.agentId = 'a1';
  task.outputs = [{ name: 'a.bin', sha256: 'a'.repeat(64), size: 10 }, { name: 'b.bin', sha256: 'b'.repeat(64), size: 10 }];
  task.collected = ['a.bin'];
  s.agent.collecting.add(task.id);
  s.pauses.outputDiskFull(s.job, { path: s.dir, bytes: 10, waiting: { task, agentId: 'a1' } });
  await until('the resume', () => s.job.pauseReason === null && s.sent.length === 1);
  assert.notEqual(s.job.state, 'paused');
  assert.deepEqual(s.sent, [{ type: 'output.fetch', taskId: task.id, attempt: 2, names: ['b.bin'] }]);
  assert.match(s.notices.at(-1)!, new RegExp(`^info: Job "frames" resumes: the output disk ${s.dir} has room again \\(\\d+ MB free\\)\\.$`));
  assert.ok(s.dispatches() >= 1);
  assert.equal(s.changes.at(-1)!.pauseReason, undefined);
  assert.deepEqual(s.pauses.pausedJobIds, []);
});

test('a full data disk resumes the jobs only once the store has saved everything', async (t) => {
  const s = await setup(t);
  s.saves.push(false, false, true); // the store's retries fail twice, then succeed
  s.pauses.dataDiskFull(s.dir);
  assert.equal(s.job.state, 'paused');
  await until('the resume', () => s.job.pauseReason === null);
  assert.equal(s.saves.length, 0, 'the jobs waited for the third save');
  assert.match(s.notices[0]!, new RegExp(`^warn: Job "frames" is paused: the data disk ${s.dir} is full \\(.+ MB free\\); the job resumes when there is room\\.$`));
  assert.match(s.notices.at(-1)!, /^info: Job "frames" resumes: the data disk .* has room again/);
});

test('a store that fails for another reason than space does not keep the jobs waiting for room', async (t) => {
  const s = await setup(t);
  s.saves.push(false, 'denied');
  s.pauses.dataDiskFull(s.dir);
  await until('the resume', () => s.job.pauseReason === null);
  assert.equal(s.saves.length, 0);
});
