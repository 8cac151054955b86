import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { JobFrame, TaskView } from '../../electron/controller/api/contract.js';
import { formatChartMs, median, niceTicks } from '../../renderer/src/model/charts/chart-format.js';
import { frameSamples, frameTimeChart, slowThreshold, taskSamples, type TimeSample } from '../../renderer/src/model/charts/frame-times.js';
import { taskTimeline } from '../../renderer/src/model/charts/task-lanes.js';
import { transcodeStats } from '../../renderer/src/model/charts/transcode-stats.js';
import { barName, frameChartCaption, timelineBarName, timelineCaption } from '../../renderer/src/model/charts/chart-names.js';

// The job charts' decisions that need no browser: which frames are slow, how 10,000 of them
// become a few hundred bars, how tasks fall into lanes per agent with their idle time and a
// slow agent, and a transcode's fps, speed and size.

function task(index: number, over: Partial<TaskView> = {}): TaskView {
  return { id: `t${index}`, jobId: 'j', index, label: `frames ${index + 1}`, type: 'blender', state: 'succeeded', attempt: 1, failures: 0, agentId: 'a', progress: 1, outputs: [], error: null, startedAt: 0, endedAt: 1000, ...over };
}
const sample = (key: number, ms: number): TimeSample => ({ key, label: `frame ${key}`, taskId: `t${key}`, ms, estimated: false });

describe('render time per frame', () => {
  test('a one-frame task gives its frame its time; a chunk uses its measured per-frame times, else shares its time', () => {
    const tasks = [
      task(0, { startedAt: 1000, endedAt: 3000 }),
      task(1, { startedAt: 0, endedAt: 3000, frameTimesMs: [500, 2500] }),
      task(2, { startedAt: 0, endedAt: 900 }),
      task(3, { state: 'running', endedAt: null, frameTimesMs: [700] }),
      task(4, { state: 'queued', startedAt: null, endedAt: null }),
    ];
    const frames: JobFrame[] = [
      { frame: 1, taskId: 't0', taskIndex: 0, rendered: true },
      { frame: 2, taskId: 't1', taskIndex: 1, rendered: true },
      { frame: 3, taskId: 't1', taskIndex: 1, rendered: true },
      { frame: 4, taskId: 't2', taskIndex: 2, rendered: true },
      { frame: 5, taskId: 't2', taskIndex: 2, rendered: true },
      { frame: 6, taskId: 't2', taskIndex: 2, rendered: true },
      { frame: 7, taskId: 't3', taskIndex: 3, rendered: true },
      { frame: 8, taskId: 't3', taskIndex: 3, rendered: false },
      { frame: 9, taskId: 't4', taskIndex: 4, rendered: false },
    ];
    assert.deepEqual(frameSamples(frames, tasks).map((s) => [s.key, s.ms, s.estimated]), [
      [1, 2000, false], [2, 500, false], [3, 2500, false], [4, 300, true], [5, 300, true], [6, 300, true], [7, 700, false],
    ]);
  });

  test('a task sample per finished task for jobs without frames', () => {
    const samples = taskSamples([task(0, { label: 'noop 1', endedAt: 250 }), task(1, { state: 'running', endedAt: null })]);
    assert.deepEqual(samples, [{ key: 1, label: 'noop 1', taskId: 't0', ms: 250, estimated: false }]);
  });

  test('slow means over 1.5 × the median, and needs three samples', () => {
    assert.deepEqual(slowThreshold([sample(1, 100), sample(2, 900)]), { medianMs: 500, thresholdMs: null });
    const samples = [100, 110, 90, 100, 151, 149].map((ms, i) => sample(i + 1, ms));
    const { medianMs, thresholdMs } = slowThreshold(samples);
    assert.equal(medianMs, 105);
    assert.equal(thresholdMs, 157.5);
    const chart = frameTimeChart([...samples, sample(7, 400)], { unit: 'frame', total: 7, maxBars: 100 });
    assert.equal(chart.slowCount, 1);
    assert.deepEqual(chart.bars.filter((b) => b.slowCount).map((b) => b.first.key), [7]);
    assert.equal(chart.bars.length, 7);
    assert.equal(barName(chart.bars[6]!, chart), 'frame 7: 400 ms, slow');
    assert.equal(barName(chart.bars[0]!, chart), 'frame 1: 100 ms');
    assert.equal(frameChartCaption(chart), 'Render time per frame: 7 of 7 frames finished, median 110 ms, 1 slow (over 165 ms): frame 7 400 ms.');
  });

  test('10,000 frames become at most maxBars bars, each as tall as its slowest, and a lone slow frame still stands out', () => {
    const samples = Array.from({ length: 10_000 }, (_, i) => sample(i + 1, i === 4321 ? 9000 : 1000 + (i % 7)));
    const chart = frameTimeChart(samples, { unit: 'frame', total: 10_000, maxBars: 240 });
    assert.equal(chart.perBar, 42);
    assert.equal(chart.bars.length, 239);
    assert.equal(chart.bars.reduce((n, b) => n + b.count, 0), 10_000);
    const slow = chart.bars.filter((b) => b.slowCount > 0);
    assert.equal(slow.length, 1);
    assert.equal(slow[0]!.maxMs, 9000);
    assert.equal(slow[0]!.target.key, 4322);
    assert.equal(barName(slow[0]!, chart), `frames ${slow[0]!.first.key} – ${slow[0]!.last.key}: slowest 9.0 s (frame 4322), mean ${formatChartMs(slow[0]!.meanMs)}, 1 slow`);
  });
});

describe('tasks per agent (timeline)', () => {
  const names: Record<string, string> = { a: 'fast-box', b: 'slow-box' };
  const options = { now: 10_000, agentName: (id: string) => names[id] ?? id, columns: 600, maxBars: 600 };

  test('one lane per agent, a bar per attempt, idle gaps measured, the slow agent found', () => {
    const tasks = [
      task(0, { agentId: 'a', startedAt: 0, endedAt: 300, label: 'noop 1' }),
      task(1, { agentId: 'b', startedAt: 0, endedAt: 1500, label: 'noop 2' }),
      task(2, { agentId: 'a', startedAt: 300, endedAt: 600, label: 'noop 3' }),
      task(3, { agentId: 'a', startedAt: 1000, endedAt: 1300, label: 'noop 4' }),
      task(4, { agentId: 'b', startedAt: 1500, endedAt: 1800, label: 'noop 5' }),
      task(5, { agentId: null, state: 'failed', startedAt: 100, endedAt: 200, label: 'noop 6' }),
      task(7, { agentId: null, lastAgent: { agentId: 'a', name: 'fast-box' }, state: 'failed', startedAt: 1300, endedAt: 1400, label: 'noop 8' }),
      task(6, { state: 'queued', startedAt: null, endedAt: null, agentId: null }),
    ];
    const timeline = taskTimeline(tasks, options)!;
    assert.equal(timeline.start, 0);
    assert.equal(timeline.end, 1800);
    assert.equal(timeline.unplaced, 1);
    assert.deepEqual(timeline.lanes.map((l) => [l.name, l.taskCount, l.rows.length, l.rows[0]!.length, l.busyMs, l.idleMs, l.meanMs, l.slow]), [
      ['fast-box', 4, 1, 4, 1000, 800, 250, false],
      ['slow-box', 2, 1, 2, 1800, 0, 900, true],
    ]);
    assert.equal(timeline.lanes[1]!.othersMeanMs, 250);
    assert.equal(timelineBarName(timeline.lanes[1]!.rows[0]![0]!, timeline.lanes[1]!), 'noop 2 on slow-box: 1.5 s (slow agent)');
    assert.equal(timelineCaption(timeline), 'Tasks per agent over time: 2 agents, 6 tasks over 1.8 s. Slow: slow-box (900 ms per task against 250 ms).');
  });

  test('tasks that overlap on one agent (several slots) go to rows side by side; a running task ends now', () => {
    const tasks = [
      task(0, { startedAt: 0, endedAt: 1000 }),
      task(1, { startedAt: 100, endedAt: 500 }),
      task(2, { startedAt: 600, endedAt: null, state: 'running' }),
    ];
    const lane = taskTimeline(tasks, options)!.lanes[0]!;
    assert.deepEqual(lane.rows.map((r) => r.map((b) => [b.first.id, b.start, b.end, b.running])), [
      [['t0', 0, 1000, false]],
      [['t1', 100, 500, false], ['t2', 600, 10_000, true]],
    ]);
    assert.equal(lane.busyMs, 10_000);
    assert.equal(lane.meanMs, 700);
  });

  test('10,000 tasks on 3 agents × 8 slots merge into a share of maxBars per row, counting every task', () => {
    // Tasks of 90 ms with irregular gaps (0–139 ms) on each slot: unmerged, every task would be a bar.
    const tasks: TaskView[] = [];
    const cursor = new Array<number>(24).fill(0);
    for (let i = 0; i < 10_000; i++) {
      const slot = i % 24;
      const start = cursor[slot]! + ((i * 7919) % 140);
      cursor[slot] = start + 90;
      tasks.push(task(i, { agentId: ['a', 'b', 'c'][slot % 3]!, startedAt: start, endedAt: start + 90 }));
    }
    const timeline = taskTimeline(tasks, { ...options, columns: 600, maxBars: 600 })!;
    assert.equal(timeline.lanes.length, 3);
    let bars = 0;
    let counted = 0;
    for (const lane of timeline.lanes) {
      assert.equal(lane.rows.length, 8);
      for (const row of lane.rows) {
        assert.ok(row.length <= 25, `a row has ${row.length} bars (a share of 600 over 24 rows is 25)`);
        bars += row.length;
        for (const bar of row) counted += bar.count;
      }
    }
    assert.equal(counted, 10_000);
    assert.equal(bars, timeline.bars);
    assert.ok(bars <= 600, `${bars} bars`);
  });
});

describe('transcode figures', () => {
  const settings = { frameCount: 250, durationSeconds: 10, chunkCount: 2 };
  const tc = (index: number, type: string, over: Partial<TaskView>) => task(index, { type, ...over });

  test('fps and speed over the wall time from the first start to the join, and the joined file\'s size', () => {
    const tasks = [
      tc(0, 'transcode-audio', { label: 'audio', startedAt: 1000, endedAt: 1500 }),
      tc(1, 'transcode-chunk', { label: 'frames 0-124', startedAt: 1000, endedAt: 2000 }),
      tc(2, 'transcode-chunk', { label: 'frames 125-249', startedAt: 1000, endedAt: 2200 }),
      tc(3, 'transcode-join', { label: 'join', startedAt: 2200, endedAt: 3500, outputBytes: 123_456 }),
    ];
    assert.deepEqual(transcodeStats(tasks, settings, 99_999), { framesDone: 250, frameCount: 250, wallMs: 2500, fps: 100, speed: 4, outputBytes: 123_456, done: true });
  });

  test('while running: frames so far by chunk progress, no size yet; without the job\'s frame count: nothing', () => {
    const tasks = [
      tc(0, 'transcode-chunk', { label: 'frames 0-98', startedAt: 0, endedAt: 1000 }),
      tc(1, 'transcode-chunk', { label: 'frame 99', startedAt: 0, endedAt: 1000 }),
      tc(2, 'transcode-chunk', { label: 'frames 100-249', state: 'running', progress: 0.5, startedAt: 0, endedAt: null }),
      tc(3, 'transcode-join', { label: 'join', state: 'queued', startedAt: null, endedAt: null }),
    ];
    assert.deepEqual(transcodeStats(tasks, settings, 2000), { framesDone: 175, frameCount: 250, wallMs: 2000, fps: 87.5, speed: 3.5, outputBytes: null, done: false });
    assert.equal(transcodeStats(tasks, {}, 2000), null);
  });
});

describe('chart formatting', () => {
  test('durations fine enough for short tasks, medians, round ticks', () => {
    assert.deepEqual([0, 340, 3400, 45_000, 125_000, 3_900_000].map(formatChartMs), ['0 ms', '340 ms', '3.4 s', '45 s', '2 min 5 s', '1 h 5 min']);
    assert.equal(median([3, 1, 2]), 2);
    assert.equal(median([]), null);
    assert.deepEqual(niceTicks(3400, 3), [0, 2000]);
    assert.deepEqual(niceTicks(1000, 4), [0, 500, 1000]);
    assert.deepEqual(niceTicks(1800, 6), [0, 500, 1000, 1500]);
  });
});
