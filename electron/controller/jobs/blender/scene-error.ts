import { InputError } from '../../input-error.js';

/**
 * A scene the controller refuses before any task exists: missing, not a .blend, or one Blender
 * cannot read. The message is shown to the user as is (one sentence: the problem and the fix),
 * so the CLI prints it without a stack.
 */
export class SceneError extends InputError {
  override name = 'SceneError';
}
