import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Capabilities, Message, MessageOf } from '../../../node-agent/protocol/index.js';
import { withAutomaticTags } from '../../../node-agent/protocol/automatic-tags.js';
import type { AgentLink } from '../agents/agent-link.js';
import { compileNoopJob } from '../jobs/noop/noop-job.js';
import { Scheduler } from './scheduler.js';

// The automatic `gpu` tag on the controller's side, with agent links faked at the scheduler's
// port: an agent whose first start greets before its GPUs are probed gets the tag when
// `agent.capabilities` says it renders on a GPU, keeps it when the user sets its tags, and a
// job asking for `--tags gpu` then runs there.

const CPU_CAPS: Capabilities = { blender: null, ffmpeg: null, cores: 2, memoryBytes: 1e9, platform: 'linux', taskTypes: ['noop'] };

test('withAutomaticTags adds gpu once for a GPU render device, never for the CPU', () => {
  assert.deepEqual(withAutomaticTags(['fast'], { renderDevice: 'OPTIX' }), ['fast', 'gpu']);
  assert.deepEqual(withAutomaticTags(['gpu'], { renderDevice: 'HIP' }), ['gpu']);
  assert.deepEqual(withAutomaticTags(['fast'], { renderDevice: 'cpu' }), ['fast']);
  assert.deepEqual(withAutomaticTags([], {}), []);
});

test('the gpu tag arrives with agent.capabilities, survives tags set on the controller, and a gpu job runs there', async (t) => {
  const scheduler = new Scheduler(
    { add: () => undefined, update: () => undefined },
    { jobChanged: () => undefined, taskChanged: () => undefined, agentChanged: () => undefined, taskLog: () => undefined, notice: () => undefined },
    { tempPathFor: async () => '/tmp/never', commit: async (_job, _task, file) => `/out/${file.name}`, discardIntermediates: async () => undefined },
  );
  t.after(async () => {
    for (const job of scheduler.allJobs()) await scheduler.jobControls.deleteJob(job.id);
    scheduler.stop();
  });
  const sent: Message[] = [];
  const link = { url: 'wss://a1', agentId: 'a1', send: (m: Message) => (sent.push(m), true), stop: async () => undefined } as unknown as AgentLink;
  const hello: MessageOf<'agent.hello'> = { type: 'agent.hello', agentId: 'a1', name: 'a1', hostname: 'a1', slots: 1, tags: ['fast'], running: [], held: [], capabilities: CPU_CAPS };
  scheduler.agentOnline(link, hello);
  assert.deepEqual(scheduler.agents.get('a1')!.tags, ['fast']);

  const job = compileNoopJob({ count: 1, outputDir: '/out', tags: ['gpu'] });
  scheduler.addJob(job, { isNew: true });
  await new Promise((resolve) => setImmediate(resolve));
  assert.equal(sent.filter((m) => m.type === 'task.assign').length, 0, 'no gpu tag yet');

  scheduler.agentMessage(link, { type: 'agent.capabilities', capabilities: { ...CPU_CAPS, renderDevice: 'CUDA' } });
  assert.deepEqual(scheduler.agents.get('a1')!.tags, ['fast', 'gpu']);
  await new Promise((resolve) => setImmediate(resolve));
  assert.equal(sent.filter((m) => m.type === 'task.assign').length, 1, 'the gpu job went to it');

  scheduler.agentControls.setAgentTags('a1', ['night']);
  assert.deepEqual(scheduler.agents.get('a1')!.tags, ['night', 'gpu']);
});
