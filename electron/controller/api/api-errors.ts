/**
 * The API's two error classes, apart from the contract's schemas: the command line tells them
 * apart on every run, and loading them must not build every command's schema (the one-shot
 * `farmhand render` never talks to an API, and pays each module it loads before Blender starts).
 */

/** Error codes a command can fail with; the message is one sentence for the user. */
export type ApiErrorCode = 'invalid-params' | 'not-found' | 'conflict' | 'bad-input' | 'unauthorized' | 'unknown-command' | 'unavailable' | 'internal';

export class ApiError extends Error {
  override name = 'ApiError';
  constructor(readonly code: ApiErrorCode, message: string) {
    super(message);
  }
}

export type ConnectionProblem = 'not-running' | 'unreachable' | 'not-an-api' | 'timeout' | 'closed';

/** The connection itself failed (as opposed to a command, which fails with ApiError). */
export class ApiConnectionError extends Error {
  override name = 'ApiConnectionError';
  constructor(readonly problem: ConnectionProblem, message: string) {
    super(message);
  }
}
