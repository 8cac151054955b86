import { InputError } from '../controller/input-error.js';

/** An error whose message is written for the user: printed as is, with no stack trace, exit code 2. */
export class UserError extends InputError {
  override name = 'UserError';
}
