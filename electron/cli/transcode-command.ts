import { basename, extname, join, resolve } from 'node:path';
import { describeFile } from '../../node-agent/protocol/index.js';
import { findFfprobe, probeMedia } from '../controller/jobs/transcode/media-probe.js';
import { compileTranscodeJob } from '../controller/jobs/transcode/transcode-job.js';
import { startFarm, type FarmOptions } from '../farm/start-farm.js';
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
  if (o.chunks !== undefined && o.chunkSeconds !== undefined) throw new UserError('Pass either --chunks or --chunk-seconds, not both.');
  const scale = o.scale === undefined ? undefined : parseScale(o.scale);
  const ffprobe = findFfprobe(o.ffprobe);
  if (!ffprobe) throw new UserError('ffprobe is not installed on this machine, so the input cannot be read; install ffmpeg (it includes ffprobe).');
  const output = resolve(o.out ?? join('farmhand-output', `${basename(input, extname(input))}.mp4`));
  if (output === input) throw new UserError('The output would overwrite the input; pass --out with another file name.');
  // The farm starts while the input is probed and hashed.
  const terminal = new TerminalOutput(o.quiet);
  const farmStarting = startFarm({ ...o, logger: terminal.logger });
  farmStarting.catch(() => undefined);
  let media: Awaited<ReturnType<typeof probeMedia>>;
  let inputRef: Awaited<ReturnType<typeof describeFile>>;
  try {
    // ffprobe reads the packet list in its own process while this one hashes the input (each
    // ~0.25 s for a 100 MB file): side by side. The probe's verdict comes first: a missing or
    // broken input is reported in its words, not the hash's.
    const hashing = describeFile(input, basename(input));
    hashing.catch(() => undefined);
    media = await probeMedia(input, { ffprobePath: ffprobe });
    inputRef = await hashing;
  } catch (error) {
    await farmStarting.then((farm) => farm.close(), () => undefined);
    throw error;
  }

  const farm = await farmStarting;
  try {
    const agentCount = await farm.waitForAgents('transcode-chunk');
    let job;
    try {
      job = compileTranscodeJob({
        inputPath: input,
        outputPath: output,
        chunks: o.chunks,
        chunkSeconds: o.chunkSeconds,
        ...(o.videoCodec ? { videoCodec: o.videoCodec } : {}),
        ...(o.crf !== undefined ? { crf: o.crf } : {}),
        ...(o.preset ? { preset: o.preset } : {}),
        ...(scale ? { scale } : {}),
        ...(o.audioCodec ? { audioCodec: o.audioCodec } : {}),
        ...(o.audioBitrate ? { audioBitrate: o.audioBitrate } : {}),
        priority: o.priority,
        ...(o.timeout ? { taskTimeoutMs: o.timeout * 1000 } : {}),
      }, { input: inputRef, media, agentCount });
    } catch (error) {
      throw new UserError(firstIssue(error));
    }
    const frames = Number(job.settings.frameCount);
    await farm.controller.admit(job);
    terminal.print(`Transcoding ${basename(input)} (${frames} frames, ${media.durationSeconds.toFixed(2)} s${media.audio ? ', with audio' : ', no audio'}) in ${job.settings.chunkCount} chunk(s) on ${agentCount} agent(s) → ${output}`);
    const summary = await watchJob(farm, terminal, job.id, { unit: 'frames', countOf: (t) => (t.spec.type === 'transcode-chunk' ? t.spec.frameCount : 0) });
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

function firstIssue(error: unknown): string {
  const issues = (error as { issues?: { path: (string | number)[]; message: string }[] }).issues;
  if (issues?.length) return `Invalid ${issues[0]!.path.join('.') || 'setting'}: ${issues[0]!.message}.`;
  return (error as Error).message;
}
