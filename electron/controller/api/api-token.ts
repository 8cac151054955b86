import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { chmod, link, mkdir, readFile, unlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

/**
 * The API access token: a random secret in the data folder that every client of the
 * controller service (CLI, browser) must present first. It lives beside the farm key with
 * the same mode (0600), so only the user who runs the controller can read it; anyone who
 * can read it can drive the farm, which is the point of keeping it out of other users' reach.
 */

const TOKEN_PATTERN = /^[A-Za-z0-9_-]{43}$/; // 32 bytes in base64url, no padding

export function apiTokenPath(home: string): string {
  return join(home, 'api-token');
}

export function generateApiToken(): string {
  return randomBytes(32).toString('base64url');
}

/** The token in `<home>/api-token`, or null when there is none yet (the controller never ran here). */
export async function readApiToken(home: string): Promise<string | null> {
  const file = apiTokenPath(home);
  const text = await readFile(file, 'utf8').catch((error: NodeJS.ErrnoException) => {
    if (error.code === 'ENOENT') return null;
    throw error;
  });
  if (text === null) return null;
  const token = text.trim();
  if (!TOKEN_PATTERN.test(token)) throw new Error(`The API token in ${file} is damaged; delete the file and restart \`farmhand controller\` to make a new one.`);
  return token;
}

/** Reads the token, creating it on first use (readable by this user only). */
export async function loadOrCreateApiToken(home: string): Promise<string> {
  const existing = await readApiToken(home);
  if (existing !== null) return existing;
  const file = apiTokenPath(home);
  await mkdir(home, { recursive: true });
  // Written whole under a temporary name, then linked into place: a concurrent reader never
  // sees a half-written token, and if another process got there first, its token wins.
  const temp = `${file}.${randomBytes(6).toString('hex')}.tmp`;
  await writeFile(temp, `${generateApiToken()}\n`, { mode: 0o600, flag: 'wx' });
  try {
    await chmod(temp, 0o600); // the umask may have narrowed the mode further, never widened it; be exact
    await link(temp, file).catch((error: NodeJS.ErrnoException) => {
      if (error.code !== 'EEXIST') throw error;
    });
  } finally {
    await unlink(temp).catch(() => undefined);
  }
  return (await readApiToken(home))!;
}

/**
 * Compares a presented token with the real one in constant time. Both are hashed first, so
 * neither the content nor the length of the real token leaks through timing.
 */
export function tokensEqual(presented: string, expected: string): boolean {
  const a = createHash('sha256').update(presented, 'utf8').digest();
  const b = createHash('sha256').update(expected, 'utf8').digest();
  return timingSafeEqual(a, b) && expected.length > 0;
}
