/**
 * A path inside a job's workspace on the agent, as the wire carries it: relative, `/`-separated,
 * no `.` or `..` segment, no empty segment, no drive letter, no backslash, no control or NUL
 * character, each segment at most 255 bytes. Whatever the controller sends, a path that passes
 * this check cannot leave the workspace when joined under it. The contract's schemas use it, and
 * the agent checks again where it joins (defence in depth).
 */
const MAX_SEGMENT_BYTES = 255;
const MAX_PATH_CHARS = 1024;

export function isSafeWorkspacePath(path: string): boolean {
  if (path.length === 0 || path.length > MAX_PATH_CHARS) return false;
  if (path.startsWith('/') || path.includes('\\') || /^[A-Za-z]:/.test(path)) return false;
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u001f\u007f]/.test(path)) return false;
  return path.split('/').every((segment) => segment !== '' && segment !== '.' && segment !== '..' && Buffer.byteLength(segment) <= MAX_SEGMENT_BYTES);
}
