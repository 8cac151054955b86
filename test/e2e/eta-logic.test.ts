import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { AgentView, JobSummary, TaskView } from '../../electron/controller/api/contract.js';
import { estimateEta } from '../../renderer/src/model/estimate-eta.js';
import { capableSlots, remainingTaskType } from '../../renderer/src/model/job-capacity.js';
import { DRIFT_PER_MINUTE, steadyEta, type ShownEta } from '../../renderer/src/model/steady-eta.js';
import { framesOfTask } from '../../renderer/src/model/task-frames.js';

// The ETA a wrangler reads first (issue 18): measured per frame, over the agents that can run
// the job, steady from one update to the next. A simulated steady job at 0.41 tasks/s shows
// what the window shows through a whole job.

function task(index: number, over: Partial<TaskView> = {}): TaskView {
  return { id: `t${index}`, jobId: 'j', index, label: `frame ${index + 1}`, type: 'blender', state: 'queued', attempt: 0, failures: 0, agentId: null, progress: 0, outputs: [], error: null, startedAt: null, endedAt: null, ...over };
}
const done = (index: number, ms: number, label = `frame ${index + 1}`) => task(index, { label, state: 'succeeded', attempt: 1, agentId: 'a', startedAt: 1000, endedAt: 1000 + ms });

function agent(id: string, over: Partial<AgentView> = {}): AgentView {
  return { agentId: id, name: id, hostname: id, url: `wss://${id}`, online: true, enabled: true, slots: 1, busySlots: 0, tags: [], taskTypes: ['blender', 'noop'], checking: [], blender: '4.1', ffmpeg: null, cores: 4, ...over };
}

describe('frames per task', () => {
  test('a chunk counts its frames; a join, the audio or a no-op is no run of frames', () => {
    assert.deepEqual(['frame 133', 'frames 1-10', 'frames 1-9x2,12', 'frames 5,1-3', 'join', 'audio', 'noop 3', 'video'].map(framesOfTask), [1, 10, 6, 4, null, null, null, null]);
  });
});

describe('ETA from measured per-frame times over the agents that can run the job', () => {
  test('is unknown before a task has finished, or when nothing can run the job', () => {
    assert.equal(estimateEta([task(0, { state: 'running', agentId: 'a', progress: 0.5 }), task(1)], 2), null);
    assert.equal(estimateEta([done(0, 10_000), task(1)], 0), null);
  });

  test('a chunk of ten frames measures ten frames: work left in frames at the time per frame', () => {
    // 2 chunks of 10 frames took 20 s and 40 s: 2 and 4 s a frame. Left: 10 + 5 frames, 3 slots.
    const tasks = [done(0, 20_000, 'frames 1-10'), done(1, 40_000, 'frames 11-20'), task(2, { label: 'frames 21-30', state: 'running', progress: 0.5 }), task(3, { label: 'frames 31-40' })];
    const eta = estimateEta(tasks, 3)!;
    assert.equal(eta.workLeft, 15);
    // n = 2: the quick end is at most median·(1 − 0.5/√2), the slow end at least the slowest frame.
    assert.ok(eta.minMs <= (15 * 2_000) / 3 + 1, `min ${eta.minMs}`);
    assert.ok(eta.maxMs >= (15 * 4_000) / 3, `max ${eta.maxMs}`);
  });

  test('regression: a starting task without an agent in the UI\'s copy gives the same estimate as with one', () => {
    // The UI's copy of an assigned task once had no agent: the estimate then divided by the
    // agents running the job, 1 of the 3, and tripled ("55 min–1 h 21" ↔ "2 h 46–4 h").
    const finished = Array.from({ length: 20 }, (_, i) => done(i, 9_000 + (i % 5) * 200));
    const rest = Array.from({ length: 100 }, (_, i) => task(20 + i));
    const withAgents = [...finished, task(120, { state: 'running', agentId: 'a', progress: 0.3 }), task(121, { state: 'assigned', agentId: 'b' }), task(122, { state: 'assigned', agentId: 'c' }), ...rest];
    const copyWithout = withAgents.map((t) => (t.state === 'assigned' ? { ...t, agentId: null } : t));
    const eta = estimateEta(withAgents, 3);
    assert.ok(eta);
    assert.deepEqual(estimateEta(copyWithout, 3), eta);
    // 102.7 frames left at about 9.4 s over 3 slots: about 5.4 min, whoever is running now.
    const mid = (eta.minMs + eta.maxMs) / 2;
    assert.ok(Math.abs(mid - (102.7 * 9_400) / 3) < 0.1 * mid, `mid ${Math.round(mid / 1000)} s`);
  });

  test('counts the slots of agents that can run it, idle or not: online, not drained, with the task type and the job\'s tags, not still checking it', () => {
    const agents = [agent('a', { slots: 2 }), agent('b'), agent('off', { online: false }), agent('drained', { enabled: false }), agent('ffmpeg-only', { taskTypes: ['transcode'] }), agent('checking', { checking: ['blender'] })];
    const tasks = [done(0, 1000), task(1)];
    assert.equal(remainingTaskType(tasks), 'blender');
    assert.equal(capableSlots(agents, {}, remainingTaskType(tasks)), 3);
    assert.equal(capableSlots([...agents, agent('gpu', { tags: ['gpu', 'linux'], slots: 4 })], { tags: ['gpu'] }, 'blender'), 4, 'only agents with every tag the job asks for');
    assert.equal(capableSlots(agents, { waitingReason: 'no agent has tag gpu' }, 'blender'), 0, 'a waiting job gets only its running tasks');
    assert.equal(capableSlots(agents, {}, remainingTaskType([done(0, 1000)])), 0);
  });
});

/**
 * A steady job as the window sees it: `agents` one-slot agents take 1-frame tasks of about
 * `taskMs` (±10 %, fixed pseudo-random) back to back; the estimate is read at every task
 * start and end, as the window does on each event.
 */
function simulateSteadyJob(o: { tasks: number; agents: number; taskMs: number }) {
  let seed = 7;
  const jitter = () => ((seed = (seed * 48271) % 2147483647) / 2147483647 - 0.5) * 0.2;
  const tasks: TaskView[] = Array.from({ length: o.tasks }, (_, i) => task(i));
  const freeAt = Array.from({ length: o.agents }, () => 0);
  // Every task's start and end, in time order, from a simple list scheduler.
  const events: { at: number; index: number; state: 'assigned' | 'succeeded'; agent: number; startedAt: number }[] = [];
  for (let i = 0; i < o.tasks; i++) {
    const a = freeAt.indexOf(Math.min(...freeAt));
    const start = freeAt[a]!;
    const end = start + o.taskMs * (1 + jitter());
    events.push({ at: start, index: i, state: 'assigned', agent: a, startedAt: start }, { at: end, index: i, state: 'succeeded', agent: a, startedAt: start });
    freeAt[a] = end;
  }
  events.sort((x, y) => x.at - y.at || (x.state === 'succeeded' ? -1 : 1));
  const finish = Math.max(...freeAt);
  const readings: { at: number; shown: ShownEta; truth: number; doneCount: number }[] = [];
  let shown: ShownEta | null = null;
  let doneCount = 0;
  for (const e of events) {
    tasks[e.index] = { ...tasks[e.index]!, state: e.state, attempt: 1, agentId: e.state === 'assigned' ? null : `a${e.agent}`, startedAt: e.startedAt, endedAt: e.state === 'succeeded' ? e.at : null };
    if (e.state === 'succeeded') doneCount++;
    const reading = estimateEta(tasks, o.agents);
    if (reading === null || reading.workLeft === 0) continue;
    shown = steadyEta(shown, reading, e.at);
    readings.push({ at: e.at, shown, truth: finish - e.at, doneCount });
  }
  return readings;
}

describe('a steady job at 0.41 tasks/s (4 agents, 9.76 s a task, 400 tasks)', () => {
  const readings = simulateSteadyJob({ tasks: 400, agents: 4, taskMs: 4 / 0.41 * 1000 });

  test('each update moves the range no more than the work left justifies (plus the drift allowed for the time since)', () => {
    assert.ok(readings.length > 700);
    for (let i = 1; i < readings.length; i++) {
      const [a, b] = [readings[i - 1]!, readings[i]!];
      const scale = b.shown.workLeft / a.shown.workLeft;
      const drift = (DRIFT_PER_MINUTE * (b.at - a.at)) / 60_000 + 1e-9;
      for (const end of ['minMs', 'maxMs'] as const) {
        const justified = a.shown[end] * scale;
        assert.ok(Math.abs(b.shown[end] - justified) <= justified * drift, `update ${i}: ${end} ${Math.round(a.shown[end])} → ${Math.round(b.shown[end])} ms, justified ${Math.round(justified)} ± ${(drift * 100).toFixed(2)} %`);
      }
      // Never a jump back up: time left only grows when the work left does.
      assert.ok(b.shown.maxMs <= a.shown.maxMs * 1.01, `update ${i}: the slow end rose from ${Math.round(a.shown.maxMs)} to ${Math.round(b.shown.maxMs)} ms`);
    }
  });

  test('the range holds the real time left once a few tasks are measured, and narrows as data comes in', () => {
    const measured = readings.filter((r) => r.doneCount >= 8);
    const missed = measured.filter((r) => r.truth < r.shown.minMs * 0.95 || r.truth > r.shown.maxMs * 1.05);
    assert.ok(missed.length <= measured.length * 0.02, `${missed.length} of ${measured.length} readings missed the real time left, e.g. ${JSON.stringify(missed[0])}`);
    const width = (r: (typeof readings)[number]) => (r.shown.maxMs - r.shown.minMs) / ((r.shown.maxMs + r.shown.minMs) / 2);
    const at = (done: number) => readings.find((r) => r.doneCount >= done)!;
    assert.ok(width(at(2)) > width(at(40)) && width(at(40)) > width(at(300)), `relative width ${width(at(2)).toFixed(2)} → ${width(at(40)).toFixed(2)} → ${width(at(300)).toFixed(2)}`);
    assert.ok(width(at(300)) < 0.35, `late in the job the range is tight: ${width(at(300)).toFixed(2)}`);
  });
});
