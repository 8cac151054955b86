import { farmHome } from '../controller/farm-home.js';
import { loadApiTls, plainHttpWarning } from './api-tls.js';
import { serveFarmApi, type FarmApi } from '../farm/serve-farm-api.js';
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
  const terminal = new TerminalOutput(false);
  const running = await startControllerService({ ...o, home, logger: terminal.logger });
  let api: FarmApi;
  try {
    api = await serveFarmApi(running, { host: o.host, port: o.port, ...(tls ? { tls } : {}), uploadLimitBytes: o.uploadLimit * 1024 ** 2 }).catch((error: Error) => {
      throw new UserError(error.message);
    });
  } catch (error) {
    await running.close();
    throw error;
  }
  const { server } = api;

  terminal.print(`API token: ${api.tokenPath} (client commands on this machine read it; elsewhere pass --token or set FARMHAND_TOKEN).`);
  const warning = plainHttpWarning(o.host, server.secure);
  if (warning) terminal.print(warning);
  if (running.storedJobs > 0) terminal.print(`${running.storedJobs} job(s) from the store; unfinished ones resume.`);
  terminal.print('Press Ctrl-C to stop.');
  process.stdout.write(`Farmhand UI: ${api.uiUrl}\n`);
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
