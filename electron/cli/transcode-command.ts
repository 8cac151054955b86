import { basename, resolve } from 'node:path';
import { prepareJob } from '../controller/jobs/submit-job.js';
import { startFarm, type FarmOptions } from '../farm/start-farm.js';
import { ONE_SHOT_WORDING } from './one-shot-wording.js';
import { TerminalOutput, type TerminalOptions } from './terminal-output.js';
import { UserError } from './user-error.js';
import { watchJob } from './watch-job.js';

/** `farmhand transcode INPUT`: one video split into chunks across the farm, joined frame-exact. */

export interface TranscodeOptions extends FarmOptions, TerminalOptions {
  out?: string;
  chunks?: number;
  chunkSeconds?: number;
  videoCodec?: string;
  crf?: number;
  preset?: string;
  scale?: string;
  audioCodec?: string;
  audioBitrate?: string;
  priority: number;
  timeout?: number;
  ffprobe?: string;
  json: boolean;
}

export async function transcodeCommand(inputPath: string, o: TranscodeOptions): Promise<number> {
  const started = performance.now();
  const input = resolve(inputPath);
  const scale = o.scale === undefined ? undefined : parseScale(o.scale);
  // Checked before anything starts: the options, ffprobe, and an output that is not the input.
  const prepared = prepareJob({
    type: 'transcode',
    inputPath: input,
    ...(o.out !== undefined ? { outputPath: resolve(o.out) } : {}),
    ...(o.chunks !== undefined ? { chunks: o.chunks } : {}),
    ...(o.chunkSeconds !== undefined ? { chunkSeconds: o.chunkSeconds } : {}),
    ...(o.videoCodec ? { videoCodec: o.videoCodec } : {}),
    ...(o.crf !== undefined ? { crf: o.crf } : {}),
    ...(o.preset ? { preset: o.preset } : {}),
    ...(scale ? { scale } : {}),
    ...(o.audioCodec ? { audioCodec: o.audioCodec } : {}),
    ...(o.audioBitrate ? { audioBitrate: o.audioBitrate } : {}),
    ...(o.timeout ? { taskTimeoutSeconds: o.timeout } : {}),
    priority: o.priority,
    tags: [],
  }, { outputRoot: resolve('farmhand-output'), home: o.home, ffprobePath: o.ffprobe, wording: ONE_SHOT_WORDING });
  // The farm starts while the input is probed and hashed.
  const terminal = new TerminalOutput(o.quiet);
  const farmStarting = startFarm({ ...o, logger: terminal.logger });
  farmStarting.catch(() => undefined);
  const { job, input: media, agentCount } = await prepared.compile(async () => (await farmStarting).waitForAgents(prepared.taskType)).catch(async (error: unknown) => {
    await farmStarting.then((farm) => farm.close(), () => undefined);
    throw error;
  });
  const output = String(job.settings.outputPath);

  const farm = await farmStarting;
  try {
    const frames = Number(job.settings.frameCount);
    await farm.controller.admit(job);
    terminal.print(`Transcoding ${basename(input)} (${frames} frames, ${media.durationSeconds.toFixed(2)} s${media.audio ? ', with audio' : ', no audio'}) in ${job.settings.chunkCount} chunk(s) on ${agentCount} agent(s) → ${output}`);
    const summary = await watchJob(farm, terminal, job.id, { label: job.name, unit: 'frames' });
    const seconds = ((performance.now() - started) / 1000).toFixed(1);
    if (o.json) console.log(JSON.stringify({ job: summary, frames, output, seconds: Number(seconds) }));
    if (summary.state === 'succeeded') {
      terminal.print(`Done: ${output} (${frames} frames, ${seconds} s).`);
      return 0;
    }
    const reason = summary.failure ?? job.tasks.find((t) => t.state === 'failed')?.error ?? summary.state;
    terminal.print(`Transcode ${summary.state === 'canceled' ? 'canceled' : 'failed'}: ${reason}`);
    return 1;
  } finally {
    await farm.close();
  }
}

function parseScale(value: string): [number, number] {
  const match = /^(\d{2,5})x(\d{2,5})$/.exec(value.trim());
  if (!match) throw new UserError(`--scale "${value}" is not a size; use WIDTHxHEIGHT like 1280x720.`);
  return [Number(match[1]), Number(match[2])];
}
