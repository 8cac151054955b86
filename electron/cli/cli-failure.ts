import { FarmKeyError } from '../../node-agent/protocol/index.js';
import { ApiConnectionError, ApiError } from '../controller/api/api-errors.js';
import { InputError } from '../controller/input-error.js';

/**
 * How the command line ends on an error, decided by the error's class and never its wording.
 * The user's to fix (exit 2, the sentence alone): an InputError (scene, media, frame list,
 * settings, disk room, UserError), a damaged farm key (FarmKeyError lives in node-agent/protocol,
 * which imports nothing of the controller, so it is named here), and a command the controller
 * refused or could not be reached for. A failure inside the controller (`internal`) is not the
 * user's, but its message is all that is worth showing (exit 1). Anything else is a bug: exit 1
 * with the stack.
 */
export function cliFailure(error: Error): { exitCode: 1 | 2; text: string } {
  const fromApi = error instanceof ApiError || error instanceof ApiConnectionError;
  const known = error instanceof InputError || error instanceof FarmKeyError || fromApi;
  return {
    exitCode: error instanceof ApiError && error.code === 'internal' ? 1 : known ? 2 : 1,
    text: `farmhand: ${known ? error.message : error.stack ?? error.message}`,
  };
}
