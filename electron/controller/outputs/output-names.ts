import { isAbsolute, join, relative, resolve, sep } from 'node:path';

/**
 * Output names come from the wire, so they are never trusted as paths: only a plain file
 * name of safe characters is accepted, and the final path is checked to lie inside the
 * job's output folder.
 */
const SAFE_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,199}$/;

export class UnsafeOutputNameError extends Error {
  override name = 'UnsafeOutputNameError';
}

/**
 * The one folder an output may name: a render's compositor File Output passes
 * (`passes/fg_0001.png`, `passes/comp/bg_0001.png`), which keep the node's own layout. Every
 * segment must be a plain file name as above.
 */
export const PASSES_FOLDER = 'passes';
const MAX_RELATIVE_NAME = 255;

/** A plain name, or `passes/` then plain names separated by `/`. */
export function isSafeOutputName(name: string): boolean {
  if (name.includes('..') || name.length > MAX_RELATIVE_NAME) return false;
  const segments = name.split('/');
  if (segments.length > 1 && segments[0] !== PASSES_FOLDER) return false;
  return segments.every((segment) => SAFE_NAME.test(segment));
}

export function safeOutputPath(outputDir: string, name: string): string {
  if (!isSafeOutputName(name)) {
    throw new UnsafeOutputNameError(`refused output name ${JSON.stringify(name.slice(0, 80))}: only plain file names (or passes/ and plain names) are accepted`);
  }
  const root = resolve(outputDir);
  const target = resolve(join(root, name));
  const rel = relative(root, target);
  if (rel === '' || rel.startsWith('..') || isAbsolute(rel) || rel.split(sep).join('/') !== name) {
    throw new UnsafeOutputNameError(`refused output name ${JSON.stringify(name.slice(0, 80))}: it would leave the job's output folder`);
  }
  return target;
}
