/**
 * A problem with what the user gave (a scene, a video, a frame list, a setting, a path, a disk
 * too small for the job), as opposed to a fault of the farm. Its message is one sentence the
 * user can act on: the problem and the fix. It is never retried, and its class alone decides how
 * it is shown: the command line prints the sentence without a stack and exits with code 2, the
 * API answers `bad-input` with the sentence, and the UI shows that sentence. Extend it for a new
 * kind of user error; never match on message text.
 */
export class InputError extends Error {
  override name = 'InputError';
}
