import { join } from 'node:path';
import { startApiServer, type ApiServer } from '../controller/api/api-server.js';
import { apiTokenPath, loadOrCreateApiToken } from '../controller/api/api-token.js';
import { builtUiFolder, createStaticFileHandler } from '../controller/api/static-files.js';
import { createUploadHandler, isUploadRequest } from '../controller/api/upload-route.js';
import { farmHome } from '../controller/farm-home.js';
import { loadApiTls, plainHttpWarning } from './api-tls.js';
import { startControllerService } from '../farm/start-controller-service.js';
import { TerminalOutput } from './terminal-output.js';
import { UserError } from './user-error.js';

/** The controller service behind `farmhand controller` (see controller-command.ts), loaded when that command runs. */

export interface ControllerOptions {
  port: number;
  host: string;
  outputRoot?: string;
  agent: string[];
  discover: boolean;
  mdnsInterface?: string;
  localAgent: boolean;
  localAgentTypes?: string[];
  farmKey?: string;
  blender?: string;
  ffmpeg?: string;
  ffprobe?: string;
  /** MiB a browser may upload in one file. */
  uploadLimit: number;
  /** PEM certificate and private key: the API and UI are served over HTTPS/WSS. */
  tlsCert?: string;
  tlsKey?: string;
}

/** A shutdown that hangs (a stuck socket, a full disk) must not keep the process forever. */
const SHUTDOWN_LIMIT_MS = 15_000;

export async function runController(o: ControllerOptions): Promise<number> {
  const home = farmHome();
  const tls = await loadApiTls(o.tlsCert, o.tlsKey); // before the farm starts: a wrong path costs nothing
  const token = await loadOrCreateApiToken(home);
  const terminal = new TerminalOutput(false);
  const running = await startControllerService({ ...o, home, logger: terminal.logger });
  const { farm, service } = running;
  let server: ApiServer;
  try {
    // `/` serves the desktop UI's browser build; it authenticates with the token in the printed link.
    // `/api/uploads` takes a browser's dropped file (it has no path there), with the same token.
    const staticFiles = createStaticFileHandler({ root: builtUiFolder(import.meta.url) });
    const uploads = createUploadHandler({ dir: join(home, 'uploads'), token, maxBytes: o.uploadLimit * 1024 ** 2 });
    const onHttpRequest: typeof staticFiles = (request, response) => (isUploadRequest(request) ? uploads : staticFiles)(request, response);
    server = await startApiServer({ api: service.api, onEvent: service.onEvent, token, host: o.host, port: o.port, tls, onHttpRequest }).catch((error: Error) => {
      throw new UserError(error.message);
    });
  } catch (error) {
    await running.close();
    throw error;
  }

  const jobs = farm.controller.scheduler.allJobs().length;
  terminal.print(`API token: ${apiTokenPath(home)} (client commands on this machine read it; elsewhere pass --token or set FARMHAND_TOKEN).`);
  const warning = plainHttpWarning(o.host, server.secure);
  if (warning) terminal.print(warning);
  if (jobs > 0) terminal.print(`${jobs} job(s) from the store; unfinished ones resume.`);
  terminal.print('Press Ctrl-C to stop.');
  process.stdout.write(`Farmhand UI: ${uiUrl(server, token)}\n`);
  // Last, on stdout: the line a script waits for (`--port 0` makes it the only way to learn the port).
  process.stdout.write(`Farmhand controller listening on ${server.url}\n`);
  await untilStopped();
  terminal.print('Stopping…');
  const limit = setTimeout(() => {
    process.stderr.write('farmhand: the controller did not stop within 15 s; quitting anyway.\n');
    process.exit(1);
  }, SHUTDOWN_LIMIT_MS);
  limit.unref();
  await server.close();
  await running.close();
  clearTimeout(limit);
  terminal.print('Stopped.');
  return 0;
}

/** The link that opens the UI already authorised (the token rides in the fragment, which is never sent to the server). */
function uiUrl(server: ApiServer, token: string): string {
  const host = server.host === '0.0.0.0' ? '127.0.0.1' : server.host === '::' ? '::1' : server.host;
  return `${server.secure ? 'https' : 'http'}://${host.includes(':') ? `[${host}]` : host}:${server.port}/#token=${encodeURIComponent(token)}`;
}

/** Resolves on the first SIGINT or SIGTERM; a second one quits at once. */
function untilStopped(): Promise<void> {
  return new Promise((resolve) => {
    const stop = () => {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
      process.once('SIGINT', () => process.exit(130));
      process.once('SIGTERM', () => process.exit(143));
      resolve();
    };
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
  });
}
