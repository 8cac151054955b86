import { InputError } from '../../input-error.js';

/**
 * An input video the controller refuses before any task exists: missing, empty, not a video,
 * truncated, or without a video stream. The message is shown to the user as is (one sentence:
 * the file, the problem and the fix), so the CLI prints it without a stack.
 */
export class MediaError extends InputError {
  override name = 'MediaError';
}
