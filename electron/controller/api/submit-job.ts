import { basename, extname, isAbsolute, join } from 'node:path';
import { describeFile } from '../../../node-agent/protocol/index.js';
import { compileBlenderJob } from '../jobs/blender/blender-job.js';
import { findBlender } from '../jobs/blender/find-blender.js';
import { readSceneInfo } from '../jobs/blender/scene-probe.js';
import { parseFrameList } from '../jobs/frame-list.js';
import { findFfprobe, probeMedia } from '../jobs/transcode/media-probe.js';
import { compileTranscodeJob } from '../jobs/transcode/transcode-job.js';
import type { JobRecord } from '../model/job-model.js';
import { ApiError, type ApiParsedParams } from './contract.js';

/**
 * `jobs.submit` turned into a job: the input is read (a scene's settings, a video's frames)
 * and hashed on the controller's machine, then the job type's compiler makes the tasks.
 * Problems with the input are InputErrors (scene, media, frame list, settings), which the service
 * answers as bad-input with the compiler's own sentence (input-errors-as-bad-input.ts).
 */

export interface SubmitContext {
  outputRoot: string;
  home: string;
  blenderPath?: string;
  ffprobePath?: string;
  agentCount: number;
}

export function compileSubmission(p: ApiParsedParams<'jobs.submit'>, o: SubmitContext): Promise<JobRecord> {
  return p.type === 'render' ? compileRender(p, o) : compileTranscode(p, o);
}

function requireAbsolute(path: string, what: string): void {
  if (!isAbsolute(path)) throw new ApiError('bad-input', `The ${what} "${path}" must be an absolute path on the controller's machine.`);
}

async function compileRender(p: Extract<ApiParsedParams<'jobs.submit'>, { type: 'render' }>, o: SubmitContext): Promise<JobRecord> {
  const { agentCount } = o;
  requireAbsolute(p.scenePath, 'scene');
  if (p.frames !== undefined) parseFrameList(p.frames);
  const sceneInfo = await readSceneInfo(p.scenePath, { blenderPath: findBlender(o.blenderPath), scratchHome: join(o.home, 'scratch-home') });
  const scene = await describeFile(p.scenePath, basename(p.scenePath));
  const outputDir = p.outputDir ?? join(o.outputRoot, basename(p.scenePath, extname(p.scenePath)));
  requireAbsolute(outputDir, 'output folder');
  return compileBlenderJob({
    scenePath: p.scenePath,
    frames: p.frames,
    chunkSize: p.chunkSize,
    outputDir,
    priority: p.priority,
    tags: p.tags,
    ...(p.format ? { format: p.format as never } : {}),
    ...(p.engine ? { engine: p.engine as never } : {}),
    ...(p.taskTimeoutSeconds ? { taskTimeoutMs: p.taskTimeoutSeconds * 1000 } : {}),
    video: p.video,
  }, { scene, scenePath: p.scenePath, sceneInfo, agentCount });
}

async function compileTranscode(p: Extract<ApiParsedParams<'jobs.submit'>, { type: 'transcode' }>, o: SubmitContext): Promise<JobRecord> {
  const { agentCount } = o;
  requireAbsolute(p.inputPath, 'input');
  if (p.chunks !== undefined && p.chunkSeconds !== undefined) throw new ApiError('bad-input', 'Give either chunks or chunkSeconds, not both.');
  const ffprobe = findFfprobe(o.ffprobePath);
  if (!ffprobe) throw new ApiError('bad-input', 'ffprobe is not installed on the controller\'s machine, so the input cannot be read; install ffmpeg (it includes ffprobe).');
  const outputPath = p.outputPath ?? join(o.outputRoot, `${basename(p.inputPath, extname(p.inputPath))}.mp4`);
  requireAbsolute(outputPath, 'output');
  if (outputPath === p.inputPath) throw new ApiError('bad-input', 'The output would overwrite the input; choose another output file.');
  const media = await probeMedia(p.inputPath, { ffprobePath: ffprobe });
  const input = await describeFile(p.inputPath, basename(p.inputPath));
  return compileTranscodeJob({
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
  }, { input, media, agentCount });
}
