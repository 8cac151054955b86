import { lineLogger, type FarmLogger } from '../farm/farm-logger.js';

/** The `--quiet` switch every command that runs the farm in this process takes. */
export interface TerminalOptions {
  quiet: boolean;
}

/**
 * The CLI's printing: its own lines and the farm's warnings and notices, on stderr unless
 * --quiet (stdout is kept for the result a script reads). A progress display takes the farm's
 * notices over while it runs (`showNotice`), so they land above its line.
 */
export class TerminalOutput {
  /** Where the farm's lines go; a progress display swaps it while it runs. */
  showNotice: (line: string) => void = (line) => this.print(line);
  /** The logger port handed to the farm. */
  readonly logger: FarmLogger = lineLogger((line) => this.showNotice(line));

  constructor(readonly quiet: boolean) {}

  print(line: string): void {
    if (!this.quiet) process.stderr.write(`${line}\n`);
  }
}
