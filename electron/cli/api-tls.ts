import { readFile } from 'node:fs/promises';
import { UserError } from './user-error.js';

/**
 * The controller API's transport security as the command line sets it: the certificate and key
 * files behind `--tls-cert/--tls-key`, and the one warning printed when the API is plain HTTP
 * on an address other machines can reach (the token and everything else would cross the
 * network readable by anyone on it).
 */

export interface ApiTlsFiles {
  cert: Buffer;
  key: Buffer;
}

/** Reads both files, or returns undefined when neither option is given. */
export async function loadApiTls(certPath: string | undefined, keyPath: string | undefined): Promise<ApiTlsFiles | undefined> {
  if (certPath === undefined && keyPath === undefined) return undefined;
  if (certPath === undefined || keyPath === undefined) {
    throw new UserError(`--tls-cert and --tls-key go together; give both (the certificate and its private key, PEM files), or neither for plain HTTP.`);
  }
  const [cert, key] = await Promise.all([readPem(certPath, '--tls-cert'), readPem(keyPath, '--tls-key')]);
  return { cert, key };
}

async function readPem(path: string, option: string): Promise<Buffer> {
  try {
    return await readFile(path);
  } catch (error) {
    throw new UserError(`The file "${path}" given to ${option} cannot be read (${(error as NodeJS.ErrnoException).code ?? 'error'}); check the path and its permissions.`);
  }
}

const LOOPBACK = /^(127\.\d+\.\d+\.\d+|::1|::ffff:127\.\d+\.\d+\.\d+|localhost)$/i;

/** True for an address only this machine can reach. */
export function isLoopbackHost(host: string): boolean {
  return LOOPBACK.test(host);
}

/** The warning line for plain HTTP beyond loopback, or null when there is nothing to warn about. */
export function plainHttpWarning(host: string, secure: boolean): string | null {
  if (secure || isLoopbackHost(host)) return null;
  return `warning: the API on ${host} is plain HTTP, so the API token and all traffic cross the network in clear; serve it over HTTPS with --tls-cert FILE --tls-key FILE.`;
}
