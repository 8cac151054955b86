import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Capabilities } from '../../../node-agent/protocol/index.js';
import type { AgentRuntime } from '../agents/agent-runtime.js';
import { newJob, newTask } from '../jobs/new-job.js';
import { judgeWaitingJob } from './dispatch-policy.js';
import { JobRuntime } from './job-runtime.js';

// The generic waiting reasons read as clauses after "waiting:" in the UI and after "No agent can
// run this job:" in the CLI: "no agents online.", "no agent has tag gpu.".

function agent(id: string, o: { tags?: string[]; taskTypes?: string[]; checking?: string[]; online?: boolean; enabled?: boolean } = {}): AgentRuntime {
  const capabilities = { blender: null, ffmpeg: null, cores: 4, taskTypes: o.taskTypes ?? ['noop'], ...(o.checking ? { checking: o.checking } : {}) } as unknown as Capabilities;
  return { agentId: id, name: id, online: o.online ?? true, enabled: o.enabled ?? true, slots: 1, tags: o.tags ?? [], capabilities, running: new Map(), collecting: new Set() } as unknown as AgentRuntime;
}

function noopJob(tags: string[] = []): JobRuntime {
  const task = newTask('j1', 0, 'task 1', { type: 'noop', ms: 1 } as never, []);
  return new JobRuntime(newJob({ id: 'j1', name: 'noop', type: 'noop' as never, priority: 50, tags, outputDir: '/tmp/out', inputFiles: [], settings: {}, tasks: [task] }), new Map());
}

test('no agent online (none at all, or only offline and drained ones): "no agents online."', () => {
  assert.deepEqual(judgeWaitingJob(noopJob(), [], 3), { waiting: 'no agents online.' });
  assert.deepEqual(judgeWaitingJob(noopJob(['gpu']), [agent('a', { online: false }), agent('b', { enabled: false })], 3), { waiting: 'no agents online.' });
});

test('agents online but none with the job\'s tag: "no agent has tag gpu."; several tags are named together', () => {
  assert.deepEqual(judgeWaitingJob(noopJob(['gpu']), [agent('a'), agent('b', { tags: ['linux'] })], 3), { waiting: 'no agent has tag gpu.' });
  assert.deepEqual(judgeWaitingJob(noopJob(['gpu', 'linux']), [agent('a', { tags: ['gpu'] }), agent('b', { tags: ['linux'] })], 3), { waiting: 'no agent has all of the tags gpu, linux.' });
  assert.deepEqual(judgeWaitingJob(noopJob(['gpu']), [agent('a', { tags: ['gpu'] })], 3), { waiting: null });
});

test('agents online but none runs the task type: it says which type', () => {
  assert.deepEqual(judgeWaitingJob(noopJob(), [agent('a', { taskTypes: ['blender'] })], 3), { waiting: 'no agent online can run noop tasks.' });
  assert.deepEqual(judgeWaitingJob(noopJob(['gpu']), [agent('a', { taskTypes: ['blender'], tags: ['gpu'] })], 3), { waiting: 'no agent online can run noop tasks.' });
});

test('agents still checking their tool: counted, singular and plural', () => {
  const checking = (id: string) => agent(id, { taskTypes: [], checking: ['noop'] });
  assert.deepEqual(judgeWaitingJob(noopJob(), [checking('a')], 3), { waiting: '1 agent online is still checking that their tool for noop tasks runs.' });
  assert.deepEqual(judgeWaitingJob(noopJob(), [checking('a'), checking('b')], 3), { waiting: '2 agents online are still checking that their tool for noop tasks runs.' });
});
