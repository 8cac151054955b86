import type { ApiParams, FileProbe, SceneProbe } from '../../../../electron/controller/api/contract.js';
import { countFrameList } from '../../model/frame-list-count.js';
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
  /** `any`: the scene's own Cycles device; `gpu`: only agents with a GPU. */
  device: RenderDeviceChoice;
  /** Pin a Blender major.minor (`4.1`); empty: the file's own version or newer. */
  blenderVersion: string;
  /** Run the scene's Python (drivers, registered scripts): only agents started with --allow-scripts take it. */
  trustScripts: boolean;
  /**
   * Preview first (on by default here, off in the CLI): single frames spread over the shot render
   * before the rest, so the whole shot can be checked within minutes. Not with `oneChunk`.
   */
  previewFirst: boolean;
  /** One task for the whole range, so an unbaked simulation runs from its first frame (sets the chunk size). */
  oneChunk: boolean;
  /** A single frame cut into this many regions across the farm (2–64); empty: the frame whole. Sent only for a one-frame job. */
  tiles: string;
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
  device: 'any', blenderVersion: '', trustScripts: false, oneChunk: false, previewFirst: true, tiles: '',
  outputPath: '', videoCodec: 'libx264', crf: '', preset: 'medium', scaleWidth: '', scaleHeight: '', audioCodec: 'aac', audioBitrate: '', chunks: '',
};

export type RenderDeviceChoice = 'any' | 'cpu' | 'gpu';

/** The most frames one task may hold (the controller's chunkSize limit). */
export const MAX_CHUNK_SIZE = 10_000;

export type FieldErrors = Partial<Record<keyof SubmitForm, string>>;

/** What the chosen scene told about itself that the checks need: its own range and the Blender that saved it. */
export type SceneContext = Pick<SceneProbe, 'frameStart' | 'frameEnd' | 'frameStep' | 'fileVersion'>;

export function toSubmitParams(f: SubmitForm, scene?: SceneContext): { params: ApiParams<'jobs.submit'> | null; errors: FieldErrors } {
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
    const chunkSize = f.oneChunk ? oneChunkSize(f, scene, errors) : int('chunkSize', 1, MAX_CHUNK_SIZE, 'Chunk size');
    const outputDir = absolute('outputDir', 'output folder', false);
    const blenderVersion = checkedBlenderVersion(f.blenderVersion, scene, errors);
    const tiles = isSingleFrame(f, scene) ? int('tiles', 2, 64, 'Tiles') : undefined;
    if (Object.keys(errors).length) return { params: null, errors };
    return {
      params: {
        type: 'render', scenePath: scenePath!, priority, tags, video: f.video,
        ...(f.allowMissing ? { allowMissing: true } : {}),
        ...(f.device !== 'any' ? { device: f.device } : {}),
        ...(blenderVersion ? { blenderVersion } : {}),
        ...(f.trustScripts ? { trustScripts: true } : {}),
        ...(f.previewFirst && !f.oneChunk ? { previewFirst: true } : {}),
        ...(f.frames.trim() ? { frames: f.frames.trim() } : {}),
        ...(chunkSize !== undefined ? { chunkSize } : {}),
        ...(tiles !== undefined ? { tiles } : {}),
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
  if (probe.kind === 'scene') return { ...f, type: 'render', path: probe.path, frames: sceneFrameList(probe), allowMissing: false, trustScripts: false, oneChunk: false };
  return { ...f, type: 'transcode', path: probe.path };
}

/** The scene's range in the frame-list syntax: `1-250`, `1-100x5`, or one frame `7`. */
export function sceneFrameList(s: Pick<SceneProbe, 'frameStart' | 'frameEnd' | 'frameStep'>): string {
  if (s.frameEnd <= s.frameStart) return String(s.frameStart);
  return `${s.frameStart}-${s.frameEnd}${s.frameStep > 1 ? `x${s.frameStep}` : ''}`;
}

/** The job renders exactly one frame (the typed list, or the scene's own range when it is empty): tiles are offered then only. */
export function isSingleFrame(f: Pick<SubmitForm, 'frames'>, scene: SceneContext | undefined | null): boolean {
  const count = f.frames.trim() ? countFrameList(f.frames) : scene ? countFrameList(sceneFrameList(scene)) : null;
  return count === 1;
}

/**
 * "Render as one chunk": the chunk size is the number of frames the job renders (the typed
 * list, or the scene's range when it is empty), so the one task starts at the first frame.
 */
function oneChunkSize(f: SubmitForm, scene: SceneContext | undefined, errors: FieldErrors): number | undefined {
  const count = f.frames.trim() ? countFrameList(f.frames) : scene ? countFrameList(sceneFrameList(scene)) : null;
  if (count === null) return undefined; // an unreadable list: the controller's sentence names the fix
  if (count > MAX_CHUNK_SIZE) {
    errors.chunkSize = `One chunk holds at most ${MAX_CHUNK_SIZE.toLocaleString('en')} frames and these are more; bake the simulation in Blender, or render fewer frames.`;
    return undefined;
  }
  return count;
}

/** A pinned Blender is major.minor and never older than the one that saved the file (that Blender is never used, so the job would wait for good). */
function checkedBlenderVersion(text: string, scene: SceneContext | undefined, errors: FieldErrors): string | undefined {
  const version = text.trim();
  if (!version) return undefined;
  if (!/^\d{1,3}\.\d{1,3}$/.test(version)) {
    errors.blenderVersion = 'Give the Blender version as major.minor, like 4.1, or leave it empty.';
    return undefined;
  }
  const saved = scene?.fileVersion?.saved;
  if (saved && olderMajorMinor(version, saved)) {
    errors.blenderVersion = `Blender ${version} is older than the Blender ${saved} that saved this scene and would never be used; give ${majorMinorOf(saved)} or newer, or leave it empty.`;
  }
  return version;
}

function olderMajorMinor(a: string, b: string): boolean {
  const [am = 0, an = 0] = a.split('.').map(Number);
  const [bm = 0, bn = 0] = b.split('.').map(Number);
  return am < bm || (am === bm && an < bn);
}

function majorMinorOf(version: string): string {
  return version.split('.').slice(0, 2).join('.');
}
