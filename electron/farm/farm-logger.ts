/**
 * The farm's one way of telling someone something. The farm never writes to a stream itself:
 * the CLI prints these lines on stderr (or hands them to its progress display), the desktop
 * app writes them to its log; each composition root chooses.
 */
export interface FarmLogger {
  /** A start-up problem the farm works around (a tool missing, a damaged stored job): the user should fix it, nothing stops. */
  warning(text: string): void;
  /** A notice while the farm runs (agent lost or refused, job waiting), at the controller's level. */
  notice(level: 'info' | 'warn' | 'error', text: string): void;
}

/** A logger that turns each message into one line of text (`warning: …`, `warn: …`, or the bare info text). */
export function lineLogger(write: (line: string) => void): FarmLogger {
  return {
    warning: (text) => write(`warning: ${text}`),
    notice: (level, text) => write(`${level === 'info' ? '' : `${level}: `}${text}`),
  };
}

/** For a farm nobody listens to. */
export const silentLogger: FarmLogger = { warning: () => undefined, notice: () => undefined };
