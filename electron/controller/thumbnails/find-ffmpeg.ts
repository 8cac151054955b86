import { findOnPath, resolveExecutable } from '../../../node-agent/host/find-executable.js';

/**
 * ffmpeg on the controller's own machine, which makes frame thumbnails: the explicit path
 * (`--ffmpeg`), else FARMHAND_FFMPEG, else PATH. Null when there is none: thumbnails are then
 * unavailable and say so, and nothing else of the controller needs it.
 */
export function findFfmpeg(explicit?: string): string | null {
  const given = explicit ?? (process.env.FARMHAND_FFMPEG || undefined);
  return given !== undefined ? resolveExecutable(given) : findOnPath('ffmpeg');
}
