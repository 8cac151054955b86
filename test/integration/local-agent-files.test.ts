import assert from 'node:assert/strict';
import { mkdtemp, readdir, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { after, before, test } from 'node:test';
import type { AgentLink } from '../../electron/controller/agents/agent-link.js';
import { findFfprobe, probeMedia } from '../../electron/controller/jobs/transcode/media-probe.js';
import { compileTranscodeJob } from '../../electron/controller/jobs/transcode/transcode-job.js';
import { describeFile, type Message } from '../../node-agent/protocol/index.js';
import { frameHashes, makeClip, streamDuration } from '../helpers/media.js';
import { startLoopbackFarm } from '../helpers/loopback-farm.js';

// The controller's embedded agent (the CLI's local agent) shares its machine's disk: a join
// it runs gets every chunk from the controller's own collected files and hands its output
// back the same way, with no byte on its socket. Here it is kept to joins (as
// `--local-agent-types transcode-join`) beside one ordinary loopback agent that encodes,
// with real ffmpeg; judged by the frames of the result and by what went over the wire.

let dir: string;
let clip: string;

before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'fh-local-files-'));
  clip = join(dir, 'clip.mp4');
  await makeClip(clip, { seconds: 6, rate: '25', audio: true });
});

after(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
});

test('a join on the local agent takes the chunks and gives its output on disk: lossless result, no file on its socket, nothing left held', async () => {
  const farm = await startLoopbackFarm({ agents: [{}], localAgent: { taskTypes: ['transcode-join'], name: 'this machine' } });
  try {
    const [remote, local] = farm.agents as [typeof farm.agents[0], typeof farm.agents[0]];
    assert.deepEqual(local.capabilities.taskTypes, ['transcode-join'], 'the local agent offers only joins');
    assert.equal(local.capabilities.blender, null, 'an agent kept to joins does not look for Blender');
    await farm.waitFor(() => farm.controller.agents().filter((a) => a.online).length === 2, 'both agents online');

    const streamed: string[] = [];
    const sent: { agentId: string; message: Message }[] = [];
    for (const link of farm.controller.pool.all() as AgentLink[]) {
      const send = link.send.bind(link);
      link.send = (message: Message) => {
        sent.push({ agentId: link.agentId ?? '', message });
        return send(message);
      };
      const sendFile = link.sendFile.bind(link);
      link.sendFile = (path, file) => {
        streamed.push(`to ${link.agentId}: ${file.name}`);
        return sendFile(path, file);
      };
      const openIncoming = link.openIncoming.bind(link);
      link.openIncoming = (begin) => {
        streamed.push(`from ${link.agentId}: ${begin.file.name}`);
        return openIncoming(begin);
      };
    }

    const output = join(dir, 'out.mp4');
    const job = compileTranscodeJob(
      { inputPath: clip, outputPath: output, chunks: 3, crf: 0, preset: 'ultrafast' },
      { input: await describeFile(clip, basename(clip)), media: await probeMedia(clip, { ffprobePath: findFfprobe()! }), agentCount: 1 },
    );
    farm.controller.submit(job);
    const summary = await farm.controller.waitForJob(job.id);
    assert.equal(summary.state, 'succeeded', summary.failure ?? '');

    assert.deepEqual(await frameHashes(output), await frameHashes(clip), 'decoded frames identical to the input');
    const [audioIn, audioOut] = [await streamDuration(clip, 'a'), await streamDuration(output, 'a')];
    assert.ok(audioIn !== null && audioOut !== null && Math.abs(audioOut - audioIn) <= 1024 / 48_000, `audio lasts ${audioOut} s, the input's ${audioIn} s`);

    const joinTask = job.tasks.find((t) => t.spec.type === 'transcode-join')!;
    assert.equal(joinTask.agentId, local.agentId, 'the join ran on the local agent');
    assert.ok(job.tasks.filter((t) => t !== joinTask).every((t) => t.agentId === remote.agentId), 'chunks and audio ran on the other agent');
    // The input went to the encoding agent and its chunks and audio came back over the wire; nothing moved on the local agent's socket.
    assert.ok(streamed.length > 0 && streamed.every((s) => !s.includes(local.agentId)), streamed.join(', '));
    assert.deepEqual(sent.filter((s) => s.message.type === 'input.prefetch' || (s.message.type === 'output.fetch' && s.agentId === local.agentId)).map((s) => s.message.type), [],
      'nothing staged for a join the local agent takes, and nothing fetched from it');
    // Collected by hand-over, then acknowledged: the local agent holds nothing more.
    const heldDir = join(farm.dir, 'agent-1', 'held');
    const deadline = Date.now() + 5000;
    while ((await readdir(heldDir)).length > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    assert.deepEqual(await readdir(heldDir), [], 'the local agent released its held output');
    assert.ok((await stat(output)).size > 0);
  } finally {
    await farm.close();
  }
});
