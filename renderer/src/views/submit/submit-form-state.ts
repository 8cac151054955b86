import type { ApiParams, FileProbe, SceneProbe } from '../../../../electron/controller/api/contract.js';
import { parseTags } from '../../model/parse-tags.js';

/**
 * The submit dialog's fields as typed, and their translation into jobs.submit parameters.
 * Checks here are only those a user should hear about before sending (empty path, a number
 * that is not one); the controller checks everything again and its sentence is shown as is.
 */
export interface SubmitForm {
  type: 'render' | 'transcode';
  path: string;
  frames: string;
  chunkSize: string;
  priority: string;
  tags: string;
  outputDir: string;
  video: boolean;
  /** Render even though the scene names files that are missing (they render magenta). */
  allowMissing: boolean;
  outputPath: string;
  videoCodec: string;
  crf: string;
  preset: string;
  scaleWidth: string;
  scaleHeight: string;
  audioCodec: string;
  audioBitrate: string;
  chunks: string;
}

export const EMPTY_FORM: SubmitForm = {
  type: 'render', path: '', frames: '', chunkSize: '', priority: '50', tags: '', outputDir: '', video: false, allowMissing: false,
  outputPath: '', videoCodec: 'libx264', crf: '', preset: 'medium', scaleWidth: '', scaleHeight: '', audioCodec: 'aac', audioBitrate: '', chunks: '',
};

export type FieldErrors = Partial<Record<keyof SubmitForm, string>>;

export function toSubmitParams(f: SubmitForm): { params: ApiParams<'jobs.submit'> | null; errors: FieldErrors } {
  const errors: FieldErrors = {};
  const int = (key: keyof SubmitForm, min: number, max: number, what: string): number | undefined => {
    const text = String(f[key]).trim();
    if (!text) return undefined;
    const n = Number(text);
    if (!Number.isInteger(n) || n < min || n > max) errors[key] = `${what} must be a whole number from ${min} to ${max}.`;
    return n;
  };
  const absolute = (key: keyof SubmitForm, what: string, required: boolean): string | undefined => {
    const text = String(f[key]).trim();
    if (!text) {
      if (required) errors[key] = `Give the ${what} as an absolute path on the controller's machine, e.g. /home/me/shots/scene.blend.`;
      return undefined;
    }
    if (!/^(\/|[A-Za-z]:[\\/]|\\\\)/.test(text)) errors[key] = `The ${what} must be an absolute path on the controller's machine (starting with / or a drive letter).`;
    return text;
  };
  const priority = int('priority', 0, 100, 'Priority') ?? 50;
  const tags = parseTags(f.tags);
  if (f.type === 'render') {
    const scenePath = absolute('path', 'scene file', true);
    const chunkSize = int('chunkSize', 1, 10_000, 'Chunk size');
    const outputDir = absolute('outputDir', 'output folder', false);
    if (Object.keys(errors).length) return { params: null, errors };
    return {
      params: {
        type: 'render', scenePath: scenePath!, priority, tags, video: f.video,
        ...(f.allowMissing ? { allowMissing: true } : {}),
        ...(f.frames.trim() ? { frames: f.frames.trim() } : {}),
        ...(chunkSize !== undefined ? { chunkSize } : {}),
        ...(outputDir ? { outputDir } : {}),
      },
      errors,
    };
  }
  const inputPath = absolute('path', 'video file', true);
  const outputPath = absolute('outputPath', 'output file', false);
  const crf = int('crf', 0, 63, 'CRF');
  const chunks = int('chunks', 1, 10_000, 'Chunks');
  const w = int('scaleWidth', 16, 16_384, 'Width');
  const h = int('scaleHeight', 16, 16_384, 'Height');
  if ((w === undefined) !== (h === undefined)) errors.scaleWidth = 'Give both width and height to scale, or neither.';
  if (Object.keys(errors).length) return { params: null, errors };
  return {
    params: {
      type: 'transcode', inputPath: inputPath!, priority, tags,
      ...(outputPath ? { outputPath } : {}),
      ...(f.videoCodec ? { videoCodec: f.videoCodec } : {}),
      ...(crf !== undefined ? { crf } : {}),
      ...(f.preset ? { preset: f.preset } : {}),
      ...(w !== undefined && h !== undefined ? { scale: [w, h] as [number, number] } : {}),
      ...(f.audioCodec ? { audioCodec: f.audioCodec } : {}),
      ...(f.audioBitrate.trim() ? { audioBitrate: f.audioBitrate.trim() } : {}),
      ...(chunks !== undefined ? { chunks } : {}),
    },
    errors,
  };
}

/**
 * The form after the controller read a file: its path and kind, and for a scene its own frame
 * range (what the job renders unless changed). What the user already typed elsewhere stays,
 * but "render anyway" is asked again for every new file: it answers for that file's missing files.
 */
export function formFromProbe(f: SubmitForm, probe: FileProbe): SubmitForm {
  if (probe.kind === 'scene') return { ...f, type: 'render', path: probe.path, frames: sceneFrameList(probe), allowMissing: false };
  return { ...f, type: 'transcode', path: probe.path };
}

/** The scene's range in the frame-list syntax: `1-250`, `1-100x5`, or one frame `7`. */
export function sceneFrameList(s: Pick<SceneProbe, 'frameStart' | 'frameEnd' | 'frameStep'>): string {
  if (s.frameEnd <= s.frameStart) return String(s.frameStart);
  return `${s.frameStart}-${s.frameEnd}${s.frameStep > 1 ? `x${s.frameStep}` : ''}`;
}
