import type { Command } from 'commander';
import { DEFAULT_API_PORT, DEFAULT_UPLOAD_LIMIT_BYTES } from '../controller/api/api-defaults.js';
import { integer, withAgentOptions } from './cli-options.js';
import type { ControllerOptions } from './run-controller.js';

/**
 * `farmhand controller`: the controller service with no window. It keeps jobs across
 * restarts (resumes what was unfinished), serves the API over WebSocket for the client
 * commands and browsers (over TLS with --tls-cert/--tls-key), and runs until SIGINT or
 * SIGTERM, then closes cleanly: clients told, links closed, the job store and agent settings
 * flushed. The service itself (run-controller.ts) loads only when this command runs.
 */

export function registerControllerCommand(program: Command): void {
  withAgentOptions(
    program
      .command('controller')
      .description('run the controller service headless: the farm plus its API for `farmhand submit`, `jobs`, `watch`… and browsers')
      .option('--port <n>', `API port (0 picks a free one)`, integer('--port', 0, 65_535), DEFAULT_API_PORT)
      .option('--host <ip>', 'API address to listen on (127.0.0.1: this machine only)', '127.0.0.1')
      .option('--output-root <dir>', 'where jobs without an output path write (default: ~/Farmhand)')
      .option('--ffmpeg <path>', 'ffmpeg for the local agent (default: FARMHAND_FFMPEG, else PATH)')
      .option('--ffprobe <path>', 'ffprobe to read videos (default: beside ffmpeg, else PATH)')
      .option('--upload-limit <MiB>', 'largest file a browser may upload to submit', integer('--upload-limit', 1, 1024 * 1024), DEFAULT_UPLOAD_LIMIT_BYTES / 1024 ** 2)
      .option('--tls-cert <file>', 'serve the API and UI over HTTPS/WSS with this PEM certificate (with --tls-key; needed beyond loopback)')
      .option('--tls-key <file>', 'the private key of --tls-cert (PEM)'),
  ).action(async (o: ControllerOptions) => {
    const { runController } = await import('./run-controller.js');
    process.exitCode = await runController(o);
  });
}

