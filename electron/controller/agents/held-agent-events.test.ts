import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Message, MessageOf } from '../../../node-agent/protocol/index.js';
import type { AgentLink, AgentLinkListener } from './agent-link.js';
import type { OutputOffer } from './agent-outputs.js';
import { HeldAgentEvents } from './held-agent-events.js';

/**
 * The controller dials its known agents while the job store is still loading: what the links
 * report before the scheduler exists must reach it afterwards, all of it, in order, and an
 * output offered in that window must wait for the scheduler's answer rather than be refused.
 */

const link = (url: string) => ({ url }) as unknown as AgentLink;
const hello = (agentId: string) => ({ type: 'agent.hello', agentId }) as unknown as MessageOf<'agent.hello'>;
const offer: OutputOffer = { taskId: 'job.0', attempt: 1, file: { sha256: 'a'.repeat(64), size: 1, name: 'f_0001.png' } };

function recordingScheduler(log: string[]): AgentLinkListener {
  return {
    agentOnline: (l, h) => void log.push(`online ${l.url} ${h.agentId}`),
    agentOffline: (l, reason) => void log.push(`offline ${l.url} ${reason}`),
    agentMessage: (l, m) => void log.push(`message ${l.url} ${m.type}`),
    intake: {
      open: async (l, o) => {
        log.push(`open ${l.url} ${o.file.name}`);
        return { tempPath: `/tmp/${o.file.name}` };
      },
      arrived: async (l, o, tempPath) => void log.push(`arrived ${l.url} ${o.file.name} ${tempPath}`),
      failed: (l, o, reason) => void log.push(`failed ${l.url} ${o.file.name} ${reason}`),
    },
  };
}

test('reports made before the scheduler exists reach it once it is ready, in arrival order, and nothing before', async () => {
  const held = new HeldAgentEvents();
  const a = link('wss://127.0.0.1:7001');
  const b = link('wss://127.0.0.1:7002');
  held.agentOnline(a, hello('agent-a'));
  held.agentMessage(a, { type: 'task.cancel', taskId: 'job.0', attempt: 1 } as Message);
  held.agentOnline(b, hello('agent-b'));
  held.agentOffline(a, 'connection closed');
  const opened = held.intake.open(b, offer);
  let answered = false;
  void opened.then(() => (answered = true));
  held.intake.failed(b, offer, 'agent stopped');
  await new Promise((resolve) => setImmediate(resolve));
  assert.equal(answered, false, 'an output offered while the store loads waits for the scheduler, it is not refused');
  assert.equal(held.waiting, 6);

  const log: string[] = [];
  held.deliverTo(recordingScheduler(log));
  assert.deepEqual(log, [
    'online wss://127.0.0.1:7001 agent-a',
    'message wss://127.0.0.1:7001 task.cancel',
    'online wss://127.0.0.1:7002 agent-b',
    'offline wss://127.0.0.1:7001 connection closed',
    'open wss://127.0.0.1:7002 f_0001.png',
    'failed wss://127.0.0.1:7002 f_0001.png agent stopped',
  ]);
  assert.deepEqual(await opened, { tempPath: '/tmp/f_0001.png' }, 'the held offer gets the scheduler\'s own answer');
  assert.equal(held.waiting, 0);

  // From then on every report goes straight through.
  held.agentMessage(b, { type: 'task.cancel', taskId: 'job.1', attempt: 1 } as Message);
  await held.intake.arrived(b, offer, '/tmp/x');
  assert.deepEqual(log.slice(6), ['message wss://127.0.0.1:7002 task.cancel', 'arrived wss://127.0.0.1:7002 f_0001.png /tmp/x']);
  assert.throws(() => held.deliverTo(recordingScheduler([])), /already delivered/);
});

test('a held output offer the scheduler refuses or fails on is answered with that, not lost', async () => {
  const held = new HeldAgentEvents();
  const a = link('wss://127.0.0.1:7001');
  const refused = held.intake.open(a, offer);
  const failing = held.intake.arrived(a, offer, '/tmp/part');
  const scheduler = recordingScheduler([]);
  held.deliverTo({
    ...scheduler,
    intake: {
      ...scheduler.intake,
      open: async () => ({ refuse: 'not an output of a current task' }),
      arrived: async () => {
        throw Object.assign(new Error('no space left on device'), { code: 'ENOSPC' });
      },
    },
  });
  assert.deepEqual(await refused, { refuse: 'not an output of a current task' });
  await assert.rejects(failing, /no space left/);
});
