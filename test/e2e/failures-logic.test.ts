import assert from 'node:assert/strict';
import { afterEach, describe, mock, test } from 'node:test';
import type { JobSummary, TaskAttemptView, VideoProbe } from '../../electron/controller/api/contract.js';
import { attemptOptionLabel, formatClock } from '../../renderer/src/model/attempt-label.js';
import { isInFailed, requeueCountOf } from '../../renderer/src/model/failed-jobs.js';
import { cancelQuestion, jobActionLabel, retryLabel } from '../../renderer/src/model/job-action-labels.js';
import { JOB_ACTIONS } from '../../renderer/src/model/job-actions.js';
import { taskAgentName } from '../../renderer/src/model/task-agent.js';
import { agentAddressProblem } from '../../renderer/src/model/agent-address.js';
import { replaceJobs, totalFailed, useJobsStore } from '../../renderer/src/stores/jobs-store.js';
import { dismissAllNotices, MAX_NOTICES, pushNotice, useNoticesStore } from '../../renderer/src/stores/notices-store.js';
import { clearDraft, setDraft, setFileProblem, setPreparing, useSubmitStore } from '../../renderer/src/stores/submit-store.js';

// The logic behind issue 18's "wrong today" items 3, 4, 5, 7 and 8, without a browser: what the
// Failed tab counts, where a bad file's problem goes, how notices merge and expire, which agent a
// failed task names, and the words of retry and cancel.

function job(over: Partial<JobSummary> = {}): JobSummary {
  return { id: 'j1', name: 'shot.blend', type: 'blender', priority: 50, createdAt: 1, state: 'running', taskCount: 10, succeededCount: 0, failedCount: 0, runningCount: 0, failure: null, ...over };
}

describe('Failed: a job that failed is there whatever its tasks last did', () => {
  test('a failed job whose tasks were all canceled is in Failed and counts once in the tab', () => {
    const allCanceled = job({ state: 'failed', failedCount: 0, failure: 'Every agent able to run it failed 3 times; last error: no camera' });
    assert.equal(isInFailed(allCanceled), true);
    replaceJobs([allCanceled, job({ id: 'j2', createdAt: 2, failedCount: 3 }), job({ id: 'j3', createdAt: 3, state: 'succeeded' })]);
    assert.equal(totalFailed(useJobsStore.getState()), 4, '3 failed tasks and 1 failed job');
    assert.equal(isInFailed(job({ state: 'succeeded' })), false);
  });

  test('"Requeue n tasks" counts what jobs.retry puts back: failed and canceled tasks', () => {
    const failed = job({ state: 'failed', taskCount: 3, succeededCount: 1, failedCount: 0 });
    assert.equal(requeueCountOf(failed), 2);
    assert.equal(requeueCountOf(failed, [{ state: 'canceled' }, { state: 'failed' }, { state: 'succeeded' }, { state: 'canceled' }]), 3);
    assert.equal(requeueCountOf(job({ failedCount: 2 })), 2, 'a running job: its failed tasks');
  });
});

describe('which agent a task ran on', () => {
  const agents = { a1: { name: 'render-1' } };
  test('a failed task (no agent any more) names the agent of its latest attempt', () => {
    assert.equal(taskAgentName({ agentId: null, lastAgent: { agentId: 'a1', name: 'old-name' } }, agents), 'render-1', 'the current name wins');
    assert.equal(taskAgentName({ agentId: null, lastAgent: { agentId: 'gone', name: 'render-9' } }, agents), 'render-9', 'a removed agent keeps its recorded name');
    assert.equal(taskAgentName({ agentId: 'a1' }, agents), 'render-1');
    assert.equal(taskAgentName({ agentId: null }, agents), '—');
  });

  test('the attempt picker names the agent, the time and the outcome of each attempt', () => {
    const start = new Date(2026, 11, 7, 14, 2, 11).getTime();
    const entry: TaskAttemptView = { attempt: 2, agentId: 'a1', agentName: 'render-3', startedAt: start, endedAt: start + 5000, outcome: 'failed', error: 'no camera' };
    assert.equal(attemptOptionLabel(2, entry, true, start + 60_000), '2: render-3 at 14:02:11, failed (latest)');
    assert.equal(attemptOptionLabel(1, { ...entry, attempt: 1, outcome: 'requeued' }, false, start), '1: render-3 at 14:02:11, stopped, requeued');
    assert.equal(attemptOptionLabel(3, undefined, false), '3', 'no record (an older controller): the number alone');
    assert.equal(formatClock(start, start + 86_400_000), '2026-12-07 14:02:11', 'another day shows the date');
  });
});

describe('the words of retry and cancel', () => {
  const retry = JOB_ACTIONS.find((a) => a.id === 'retry')!;
  test('"Retry failed" says what it does', () => {
    assert.equal(jobActionLabel(retry, [job({ failedCount: 3 })]), 'Requeue 3 failed');
    assert.equal(jobActionLabel(retry, [job({ state: 'canceled' })]), 'Resume canceled');
    assert.equal(jobActionLabel(retry, [job({ state: 'canceled' }), job({ state: 'canceled', id: 'j2' })]), 'Resume 2 canceled');
    assert.equal(jobActionLabel(retry, [job({ failedCount: 2 }), job({ id: 'j2', state: 'canceled' }), job({ id: 'j3', state: 'succeeded' })]), 'Requeue 2 failed, resume canceled');
    assert.equal(jobActionLabel(retry, [job({ state: 'failed', failedCount: 0 })]), 'Requeue 1 failed', 'a job failed as a whole');
    assert.equal(jobActionLabel(retry, [job({ state: 'succeeded' })]), 'Requeue failed', 'nothing to retry: the plain name, disabled');
    assert.equal(retryLabel([job({ failedCount: 2000 })]), 'Requeue 2,000 failed');
  });

  test('cancelling asks first, saying what stops and what will not run', () => {
    assert.deepEqual(cancelQuestion([job({ name: 'big', taskCount: 2000, runningCount: 3 })]), {
      title: 'Cancel job',
      text: 'Cancel “big”? 3 running tasks stop and 1,997 tasks not started yet will not run. Frames already rendered stay on disk.',
      confirmLabel: 'Cancel job',
    });
    assert.equal(cancelQuestion([job({ taskCount: 1, runningCount: 1 }), job({ id: 'j2', state: 'queued', taskCount: 1 })]).text,
      'Cancel 2 jobs? 1 running task stops and 1 task not started yet will not run. Frames already rendered stay on disk.');
  });
});

describe('notices', () => {
  afterEach(() => {
    dismissAllNotices();
    mock.timers.reset();
  });

  test('the same message again is one notice with a count, moved to the newest place', () => {
    for (let i = 0; i < 5; i++) pushNotice('error', 'Job "shot" failed: no camera');
    pushNotice('warn', 'Job "shot" is waiting: No agent is connected yet.');
    pushNotice('warn', 'Job "shot" is waiting: No agent is connected yet.');
    pushNotice('error', 'Job "shot" failed: no camera');
    assert.deepEqual(useNoticesStore.getState().notices.map((n) => [n.level, n.count]), [['warn', 2], ['error', 6]]);
  });

  test('info and warnings expire, a repeat restarts the clock; errors stay until dismissed', () => {
    mock.timers.enable({ apis: ['setTimeout'] });
    pushNotice('warn', 'waiting');
    pushNotice('error', 'failed');
    mock.timers.tick(15_000);
    pushNotice('warn', 'waiting');
    mock.timers.tick(15_000);
    assert.deepEqual(useNoticesStore.getState().notices.map((n) => n.text), ['failed', 'waiting']);
    mock.timers.tick(6000);
    assert.deepEqual(useNoticesStore.getState().notices.map((n) => n.text), ['failed']);
    dismissAllNotices();
    assert.equal(useNoticesStore.getState().notices.length, 0);
  });

  test('past the bound the oldest info or warning goes first, errors last', () => {
    pushNotice('error', 'e1');
    for (let i = 0; i < MAX_NOTICES + 2; i++) pushNotice('info', `i${i}`);
    const texts = useNoticesStore.getState().notices.map((n) => n.text);
    assert.equal(texts.length, MAX_NOTICES);
    assert.equal(texts[0], 'e1');
  });
});

test('a file that cannot be used while the dialog is open clears the file chosen before it', () => {
  const video: VideoProbe = {
    kind: 'video', path: '/clips/take1.mov', name: 'take1.mov', sizeBytes: 5000, durationSeconds: 12, fps: 25, frameRate: '25/1', frameCount: 300,
    container: 'mov', video: { codec: 'h264', width: 1280, height: 720, pixelFormat: 'yuv420p' }, audio: null,
  };
  setDraft(video, true);
  setPreparing('Uploading broken.blend… 0%');
  setFileProblem('broken.blend is not a Blender file.');
  const s = useSubmitStore.getState();
  assert.deepEqual([s.draft, s.preparing, s.fileProblem?.message], [null, null, 'broken.blend is not a Blender file.']);
  setPreparing('Uploading good.blend… 0%');
  assert.equal(useSubmitStore.getState().fileProblem, null, 'a new file forgets the last problem');
  clearDraft();
});

test('an agent address is taken as typed, HOST:PORT or wss://HOST:PORT; garbage is one sentence', () => {
  for (const ok of ['127.0.0.1:7521', 'render-3:7420', 'wss://10.0.0.5:7420', 'ws://127.0.0.1:7521', 'render-3', '[::1]:7420']) assert.equal(agentAddressProblem(ok), null, ok);
  assert.equal(agentAddressProblem('not an address'), '"not an address" is not an agent address; type HOST:PORT, e.g. 192.168.1.20:7420 (wss:// in front is optional).');
  assert.notEqual(agentAddressProblem('http://127.0.0.1:7521'), null);
  assert.notEqual(agentAddressProblem('127.0.0.1:99999'), null);
});
