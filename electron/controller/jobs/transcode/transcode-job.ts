import { basename, dirname, extname, resolve } from 'node:path';
import { z } from 'zod';
import type { FileRef } from '../../../../node-agent/protocol/index.js';
import type { JobRecord, TaskRecord } from '../../model/job-model.js';
import { newJob, newJobId, newTask } from '../new-job.js';
import { frameRunLabel } from '../frames-label.js';
import { parseSettings, SettingsError } from '../settings-error.js';
import type { MediaInfo } from './media-probe.js';
import { planVideoChunks } from './plan-chunks.js';

/**
 * The transcode job type's compiler. A video becomes: chunk tasks that each encode an exact
 * span of frames (video only, identical settings), one audio task for the whole track (audio
 * per chunk drifts at every seam), and a join task that concatenates the chunks by stream
 * copy with exact durations and muxes the audio. Chunks and audio are intermediates: they
 * live in the job's work folder and stay cached on the agent that made them, where the join
 * prefers to run.
 */

const word = z.string().regex(/^[A-Za-z0-9_-]{1,32}$/, 'use a plain codec or preset name such as libx264 or medium');

export const TranscodeSettingsSchema = z.object({
  inputPath: z.string().min(1),
  outputPath: z.string().min(1),
  chunks: z.number().int().min(1).max(10_000).optional(),
  chunkSeconds: z.number().positive().max(86_400).optional(),
  videoCodec: word.default('libx264'),
  crf: z.number().min(0).max(63).default(20),
  preset: word.default('medium'),
  scale: z.tuple([z.number().int().min(16).max(16_384), z.number().int().min(16).max(16_384)]).optional(),
  audioCodec: word.default('aac'),
  audioBitrate: z.string().regex(/^\d{1,5}k$/, 'use a bitrate like 192k').default('192k'),
  priority: z.number().int().min(0).max(100).default(50),
  tags: z.array(z.string().min(1).max(64)).max(32).default([]),
  taskTimeoutMs: z.number().int().min(1000).max(7 * 24 * 3600 * 1000).default(3_600_000),
  maxAttempts: z.number().int().min(1).max(20).default(3),
});
export type TranscodeSettings = z.input<typeof TranscodeSettingsSchema>;

/** Chunks are NUT, ffmpeg's own container: it keeps each stream's exact time base (Matroska rounds to 1 ms). */
export const CHUNK_EXTENSION = 'nut';

export function compileTranscodeJob(input: TranscodeSettings, ctx: { input: FileRef; media: MediaInfo; agentCount: number }): JobRecord {
  const settings = parseSettings(TranscodeSettingsSchema, input);
  const { media } = ctx;
  const id = newJobId();
  const outputPath = resolve(settings.outputPath);
  const plan = planVideoChunks(media, { chunks: settings.chunks, chunkSeconds: settings.chunkSeconds, agents: Math.max(1, ctx.agentCount) });
  const video = {
    codec: settings.videoCodec,
    crf: settings.crf,
    preset: settings.preset,
    ...(settings.scale ? { scale: settings.scale } : {}),
  };
  // The audio goes first: it is the one task that cannot be split, so it starts at once on one
  // agent while the others take video chunks, and the chunks even out the rest.
  const audio = media.audio ? newTask(id, 0, 'audio', {
    type: 'transcode-audio',
    codec: settings.audioCodec,
    bitrate: settings.audioBitrate,
    outputName: `audio.${audioExtension(settings.audioCodec)}`,
  }, [ctx.input], [], { intermediate: true }) : null;
  const first = audio ? 1 : 0;
  const chunks: TaskRecord[] = plan.map((chunk) => newTask(id, first + chunk.index, frameRunLabel(chunk.startFrame, chunk.frameCount), {
    type: 'transcode-chunk',
    seekSeconds: media.exactSeek ? chunk.seekSeconds : 0,
    ...(media.exactSeek || chunk.startFrame === 0 ? {} : { skipFrames: chunk.startFrame }),
    frameCount: chunk.frameCount,
    video,
    outputName: `chunk_${String(chunk.index + 1).padStart(4, '0')}.${CHUNK_EXTENSION}`,
  }, [ctx.input], [], { intermediate: true }));
  const frames = plan.reduce((n, c) => n + c.frameCount, 0);
  const duration = plan.reduce((n, c) => n + c.durationSeconds, 0);
  // The join's inputs are its dependencies' outputs in this order: every chunk, then the audio.
  const join = newTask(id, first + chunks.length, 'join', {
    type: 'transcode-join',
    chunkDurations: plan.map((c) => c.durationSeconds),
    hasAudio: audio !== null,
    outputName: outputFileName(outputPath),
    expectFrames: frames,
    expectDurationSeconds: duration,
  }, [], [...chunks, ...(audio ? [audio] : [])].map((t) => t.id), { inputsFromDependencies: true });
  const tasks = [...(audio ? [audio] : []), ...chunks, join];

  return newJob({
    id,
    name: basename(settings.inputPath),
    type: 'transcode',
    priority: settings.priority,
    tags: settings.tags,
    outputDir: dirname(outputPath),
    inputFiles: [{ sha256: ctx.input.sha256, size: ctx.input.size, path: resolve(settings.inputPath) }],
    settings: { ...settings, outputPath, frameCount: frames, durationSeconds: duration, chunkCount: plan.length },
    tasks,
  });
}

function audioExtension(codec: string): string {
  return codec === 'aac' ? 'm4a' : 'mka';
}

/** The join writes the final file under its own name in the output folder. */
function outputFileName(outputPath: string): string {
  const name = basename(outputPath);
  if (!/^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$/.test(name) || extname(name) === '') {
    throw new SettingsError(`The output name "${name}" must be a plain file name with an extension, like clip.mp4.`);
  }
  return name;
}
