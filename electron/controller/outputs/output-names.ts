import { isAbsolute, join, relative, resolve } from 'node:path';

/**
 * Output names come from the wire, so they are never trusted as paths: only a plain file
 * name of safe characters is accepted, and the final path is checked to lie inside the
 * job's output folder.
 */
const SAFE_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,199}$/;

export class UnsafeOutputNameError extends Error {
  override name = 'UnsafeOutputNameError';
}

export function safeOutputPath(outputDir: string, name: string): string {
  if (!SAFE_NAME.test(name) || name.includes('..')) {
    throw new UnsafeOutputNameError(`refused output name ${JSON.stringify(name.slice(0, 80))}: only plain file names are accepted`);
  }
  const root = resolve(outputDir);
  const target = resolve(join(root, name));
  const rel = relative(root, target);
  if (rel === '' || rel.startsWith('..') || isAbsolute(rel) || rel.includes('/') || rel.includes('\\')) {
    throw new UnsafeOutputNameError(`refused output name ${JSON.stringify(name.slice(0, 80))}: it would leave the job's output folder`);
  }
  return target;
}
