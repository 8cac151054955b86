import assert from 'node:assert/strict';
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { after, before, test } from 'node:test';
import type { AgentLink } from '../../electron/controller/agents/agent-link.js';
import { findFfprobe, probeMedia } from '../../electron/controller/jobs/transcode/media-probe.js';
import { compileTranscodeJob } from '../../electron/controller/jobs/transcode/transcode-job.js';
import { describeFile, type Message } from '../../node-agent/protocol/index.js';
import { makeClip, videoFrameCount } from '../helpers/media.js';
import { startLoopbackFarm } from '../helpers/loopback-farm.js';

// The join of a transcode needs every chunk and the audio in one place. The agent that runs
// the last chunk is where the join will run, so it is sent the finished ones it lacks while
// it still encodes (input.prefetch → input.request): when the join starts, nothing is left to
// fetch. Judged with real ffmpeg on two loopback agents, by the messages on the wire.

let dir: string;
let clip: string;

before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'fh-staging-'));
  clip = join(dir, 'clip.mp4');
  await makeClip(clip, { seconds: 6, rate: '25', audio: true });
});

after(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
});

test('the join\'s agent has its inputs sent ahead while it runs the last chunk, and fetches nothing after the join starts', async () => {
  const farm = await startLoopbackFarm({ agents: [{}, {}] });
  try {
    await farm.waitFor(() => farm.controller.agents().filter((a) => a.online).length === 2, 'two agents online');
    const wire: { at: number; agentId: string; direction: 'to' | 'from'; message: Message }[] = [];
    for (const link of farm.controller.pool.all() as AgentLink[]) {
      const send = link.send.bind(link);
      link.send = (message: Message) => {
        wire.push({ at: wire.length, agentId: link.agentId ?? '', direction: 'to', message });
        return send(message);
      };
    }
    const scheduler = farm.controller.scheduler;
    const onMessage = scheduler.agentMessage.bind(scheduler);
    scheduler.agentMessage = (link, message) => {
      wire.push({ at: wire.length, agentId: link.agentId ?? '', direction: 'from', message });
      onMessage(link, message);
    };

    const output = join(dir, 'out.mp4');
    const job = compileTranscodeJob(
      { inputPath: clip, outputPath: output, chunks: 4, crf: 30, preset: 'ultrafast' },
      { input: await describeFile(clip, basename(clip)), media: await probeMedia(clip, { ffprobePath: findFfprobe()! }), agentCount: 2 },
    );
    farm.controller.submit(job);
    const summary = await farm.controller.waitForJob(job.id);
    assert.equal(summary.state, 'succeeded', summary.failure ?? '');
    assert.equal(await videoFrameCount(output), 150);
    assert.ok((await stat(output)).size > 0);

    const joinTask = job.tasks.find((t) => t.spec.type === 'transcode-join')!;
    const joinAssigned = wire.find((w) => w.direction === 'to' && w.message.type === 'task.assign' && w.message.taskId === joinTask.id)!;
    assert.ok(joinAssigned, 'the join was assigned');
    const joinAgent = joinAssigned.agentId;
    const producers = new Set(job.tasks.filter((t) => t.id !== joinTask.id).map((t) => t.agentId));
    assert.equal(producers.size, 2, 'both agents made chunks or audio (so the join\'s agent lacked some)');

    const staged = wire.filter((w) => w.direction === 'to' && w.message.type === 'input.prefetch');
    assert.ok(staged.length > 0, 'inputs were staged');
    assert.ok(staged.every((w) => w.agentId === joinAgent && w.at < joinAssigned.at), 'staged to the join\'s agent, before the join was assigned');
    const lateRequests = wire.filter((w) => w.direction === 'from' && w.agentId === joinAgent && w.message.type === 'input.request' && w.at > joinAssigned.at);
    assert.deepEqual(lateRequests.map((w) => w.message), [], 'the join\'s agent still had to fetch inputs after the join started');
  } finally {
    await farm.close();
  }
});
