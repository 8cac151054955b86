import { basename, extname, join } from 'node:path';
import { describeFile } from '../../../../node-agent/protocol/index.js';
import { API_WORDING, requireAbsolute, type PreparedJob, type SubmitContext, type TranscodeRequest } from '../job-request.js';
import { SettingsError } from '../settings-error.js';
import { findFfprobe, probeMedia, type MediaInfo } from './media-probe.js';
import { compileTranscodeJob } from './transcode-job.js';
import { asCapacity } from '../../agents/able-capacity.js';

/**
 * A transcode request on its way to a transcode job: the options and the output are checked
 * and ffprobe found before anything is read, so a one-shot farm does not start for nothing.
 */
export function prepareTranscode(p: TranscodeRequest, ctx: SubmitContext): PreparedJob<MediaInfo> {
  const words = ctx.wording ?? API_WORDING;
  requireAbsolute(p.inputPath, 'input', ctx);
  if (p.chunks !== undefined && p.chunkSeconds !== undefined) throw new SettingsError(words.eitherChunks);
  const ffprobe = findFfprobe(ctx.ffprobePath);
  if (!ffprobe) throw new SettingsError(`ffprobe is not installed on ${words.machine}, so the input cannot be read; install ffmpeg (it includes ffprobe).`);
  const outputPath = p.outputPath ?? join(ctx.outputRoot, `${basename(p.inputPath, extname(p.inputPath))}.mp4`);
  requireAbsolute(outputPath, 'output', ctx);
  if (outputPath === p.inputPath) throw new SettingsError(`The output would overwrite the input; ${words.otherOutput}.`);
  return {
    taskType: 'transcode-chunk',
    async compile(able) {
      // ffprobe reads the packet list in its own process while this one hashes the input (each
      // ~0.25 s for a 100 MB file): side by side. The probe's verdict comes first: a missing or
      // broken input is reported in its words, not the hash's.
      const hashing = describeFile(p.inputPath, basename(p.inputPath));
      hashing.catch(() => undefined);
      const media = await probeMedia(p.inputPath, { ffprobePath: ffprobe });
      const input = await hashing;
      const agents = asCapacity(await able()).agents;
      const job = compileTranscodeJob({
        inputPath: p.inputPath,
        outputPath,
        chunks: p.chunks,
        chunkSeconds: p.chunkSeconds,
        ...(p.videoCodec ? { videoCodec: p.videoCodec } : {}),
        ...(p.crf !== undefined ? { crf: p.crf } : {}),
        ...(p.preset ? { preset: p.preset } : {}),
        ...(p.scale ? { scale: p.scale } : {}),
        ...(p.audioCodec ? { audioCodec: p.audioCodec } : {}),
        ...(p.audioBitrate ? { audioBitrate: p.audioBitrate } : {}),
        priority: p.priority,
        tags: p.tags,
        ...(p.taskTimeoutSeconds ? { taskTimeoutMs: p.taskTimeoutSeconds * 1000 } : {}),
      }, { input, media, agentCount: agents });
      return { job, input: media, agentCount: agents };
    },
  };
}
