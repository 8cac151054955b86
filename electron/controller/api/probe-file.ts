import { stat } from 'node:fs/promises';
import { basename, extname, isAbsolute, join } from 'node:path';
import { scanSceneDependencies } from '../jobs/blender/dependency-manifest.js';
import { findBlender } from '../jobs/blender/find-blender.js';
import { hasBlendMagic, readSceneInfo } from '../jobs/blender/scene-probe.js';
import { MediaError } from '../jobs/transcode/media-error.js';
import { findFfprobe, probeMedia, type MediaInfo } from '../jobs/transcode/media-probe.js';
import { ApiError, type FileProbe, type VideoProbe } from './contract.js';

/**
 * `files.probe`: what a dropped or picked file holds, so the submit dialog opens already filled
 * in (a scene's frame range, fps, size, engine; a video's duration, fps, streams). It reads the
 * file the same way jobs.submit will (readSceneInfo, probeMedia), so what the dialog shows is
 * what the job gets, and a file jobs.submit would refuse is refused here with the same sentence.
 */

export interface ProbeTools {
  /** Scratch space for Blender, when a scene needs it to be read. */
  home: string;
  blenderPath?: string;
  ffprobePath?: string;
}

/** Extensions taken to be videos without asking ffprobe first (anything else is tried too). */
const VIDEO_EXTENSIONS = new Set(['.mp4', '.m4v', '.mov', '.mkv', '.webm', '.avi', '.mxf', '.mpg', '.mpeg', '.ts', '.mts', '.m2ts', '.flv', '.wmv', '.ogv', '.dv', '.3gp', '.y4m', '.gif']);
/** ffprobe formats of still pictures: a picture is not a video to transcode. */
const STILL_FORMATS = /(^|,)(image2|[a-z0-9]+_pipe)(,|$)/;

export async function probeFile(path: string, o: ProbeTools): Promise<FileProbe> {
  if (!isAbsolute(path)) throw new ApiError('bad-input', `The file "${path}" must be an absolute path on the controller's machine.`);
  const info = await stat(path).catch(() => null);
  if (!info) throw new ApiError('bad-input', `The file "${path}" does not exist; check the path.`);
  if (info.isDirectory()) throw new ApiError('bad-input', `"${path}" is a folder; pick a Blender scene (.blend) or a video file.`);
  if (!info.isFile()) throw new ApiError('bad-input', `"${path}" is not a regular file; pick a Blender scene (.blend) or a video file.`);
  // A scene or video that cannot be read is an InputError: the service answers it as bad-input.
  if (await looksLikeBlend(path)) return probeScene(path, info.size, o);
  return probeVideo(path, info.size, o);
}

async function probeScene(path: string, sizeBytes: number, o: ProbeTools): Promise<FileProbe> {
  const blenderPath = findBlender(o.blenderPath);
  const scratchHome = join(o.home, 'scratch-home');
  const { outputPath: _outputPath, ...scene } = await readSceneInfo(path, { blenderPath, scratchHome });
  const dependencies = await scanSceneDependencies(path, { home: o.home, blenderPath, scratchHome });
  return { kind: 'scene', path, name: basename(path), sizeBytes, ...scene, dependencies };
}

async function probeVideo(path: string, sizeBytes: number, o: ProbeTools): Promise<FileProbe> {
  const name = basename(path);
  const known = VIDEO_EXTENSIONS.has(extname(path).toLowerCase());
  const neither = `"${name}" is neither a Blender scene (.blend) nor a video; pick a .blend file or a video such as MP4, MOV or MKV.`;
  const ffprobe = findFfprobe(o.ffprobePath);
  if (!ffprobe) {
    if (!known) throw new ApiError('bad-input', neither);
    throw new ApiError('bad-input', `ffprobe is not installed on the controller's machine, so "${name}" cannot be read; install ffmpeg (it includes ffprobe).`);
  }
  let media: MediaInfo;
  try {
    media = await probeMedia(path, { ffprobePath: ffprobe });
  } catch (error) {
    // A file of an unknown kind that ffprobe cannot read is simply not something Farmhand takes.
    if (!known && error instanceof MediaError) throw new ApiError('bad-input', neither);
    throw error;
  }
  if (STILL_FORMATS.test(media.container) || media.frameTimes.length < 2) {
    throw new ApiError('bad-input', `"${name}" is a still picture, not a video; pick a video file or a .blend scene.`);
  }
  return videoProbe(path, name, sizeBytes, media);
}

function videoProbe(path: string, name: string, sizeBytes: number, media: MediaInfo): VideoProbe {
  return {
    kind: 'video',
    path,
    name,
    sizeBytes,
    durationSeconds: media.durationSeconds,
    fps: 1 / media.frameDurationSeconds,
    frameRate: media.frameRate,
    frameCount: media.frameTimes.length,
    container: media.container,
    video: media.video,
    audio: media.audio,
  };
}

/** A .blend by name, or a file that starts like one (a renamed scene, a `.blend1` backup). */
async function looksLikeBlend(path: string): Promise<boolean> {
  return extname(path).toLowerCase() === '.blend' || hasBlendMagic(path);
}
