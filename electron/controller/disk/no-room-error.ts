import { InputError } from '../input-error.js';

/**
 * A job refused because a disk cannot hold it (its estimated output, or the job store). The
 * message is one sentence for the user naming the disk, what is needed and what to do; the
 * command line prints it as a user error (exit 2) and the API answers it as bad-input.
 */
export class NoRoomError extends InputError {
  override name = 'NoRoomError';
}
