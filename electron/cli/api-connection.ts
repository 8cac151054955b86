import { readFile } from 'node:fs/promises';
import { InvalidArgumentError, type Command } from 'commander';
import type { ApiClient } from '../controller/api/api-client.js';
import { apiTokenPath, readApiToken } from '../controller/api/api-token.js';
import { DEFAULT_API_PORT } from '../controller/api/api-defaults.js';
import { ApiError } from '../controller/api/api-errors.js';
import { farmHome } from '../controller/farm-home.js';
import { UserError } from './user-error.js';

/**
 * How the client commands reach a running controller: the URL (`--url`, FARMHAND_URL, else
 * this machine's default port) and the API token (`--token`, FARMHAND_TOKEN, else the one the
 * controller keeps in the data folder, which works as is on the controller's own machine).
 * A controller serving TLS (wss://) with a certificate the system does not trust, such as a
 * self-signed one, is trusted with `--ca FILE` or FARMHAND_CA (its certificate, PEM).
 */

export interface ClientOptions {
  url: string;
  token?: string;
  /** PEM file of the certificate (or authority) to trust for a wss:// controller. */
  ca?: string;
  json: boolean;
}

export const DEFAULT_API_URL = `ws://127.0.0.1:${DEFAULT_API_PORT}/api`;

/** Adds --url, --token and --json, the options every client command shares. */
export function withClientOptions(command: Command): Command {
  return command
    .option('--url <url>', `the controller's API (default: FARMHAND_URL, else ${DEFAULT_API_URL})`, apiUrl, process.env.FARMHAND_URL ?? DEFAULT_API_URL)
    .option('--token <token>', 'the API token (default: FARMHAND_TOKEN, else the api-token file in the data folder)')
    .option('--ca <file>', 'trust this PEM certificate for a wss:// controller, e.g. its self-signed one (default: FARMHAND_CA)', process.env.FARMHAND_CA || undefined)
    .option('--json', 'print machine-readable JSON on stdout', false);
}

function apiUrl(value: string): string {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new InvalidArgumentError(`"${value}" is not a URL; give the controller as ws://HOST:PORT/api (wss:// when it serves TLS).`);
  }
  if (url.protocol !== 'ws:' && url.protocol !== 'wss:') throw new InvalidArgumentError(`"${value}" is not a WebSocket URL; give the controller as ws://HOST:PORT/api (wss:// when it serves TLS).`);
  return value;
}

/** Connects, runs `work`, and always closes the connection. */
export async function withClient<T>(o: ClientOptions, work: (client: ApiClient) => Promise<T>): Promise<T> {
  const client = await connectFromCli(o);
  try {
    return await work(client);
  } finally {
    await client.close();
  }
}

export async function connectFromCli(o: ClientOptions): Promise<ApiClient> {
  const home = farmHome();
  const given = o.token ?? process.env.FARMHAND_TOKEN;
  const token = given?.trim() || (await readApiToken(home).catch((error: Error) => {
    throw new UserError(error.message);
  }));
  const tokenFile = apiTokenPath(home);
  const ca = o.ca === undefined ? undefined : await readFile(o.ca).catch((error: NodeJS.ErrnoException) => {
    throw new UserError(`The certificate file "${o.ca}" given with --ca (or FARMHAND_CA) cannot be read (${error.code ?? 'error'}); check the path.`);
  });
  try {
    // The client (and the API's schemas) load only for the commands that talk to a controller.
    const { connectApi } = await import('../controller/api/api-client.js');
    // With no token at all, connecting still tells "nothing is running" apart from "no token".
    return await connectApi(o.url, token ?? '', {
      requestTimeoutMs: 10 * 60_000,
      tokenHint: given ? `use the one in ${tokenFile} on the controller's machine or pass another --token` : `use the one in ${tokenFile} or pass --token`,
      ca,
      trustHint: o.ca === undefined ? 'pass its certificate with --ca FILE (or set FARMHAND_CA)' : `check that "${o.ca}" is the certificate the controller was started with (--tls-cert)`,
    });
  } catch (error) {
    if (error instanceof ApiError && error.code === 'unauthorized' && !token) {
      throw new UserError(`No API token was given and ${tokenFile} does not exist; pass --token (or set FARMHAND_TOKEN) with the token of the controller at ${o.url}.`);
    }
    throw error;
  }
}

/** A client command's output: JSON on stdout with --json, else the human text. */
export function print(o: { json: boolean }, value: unknown, human: () => string): void {
  if (o.json) process.stdout.write(`${JSON.stringify(value, null, 2)}\n`);
  else {
    const text = human();
    if (text) process.stdout.write(text.endsWith('\n') ? text : `${text}\n`);
  }
}
