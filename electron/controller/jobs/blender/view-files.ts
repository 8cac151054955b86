import type { SceneInfo } from '../../api/views.js';
import { SceneError } from './scene-error.js';

/**
 * A stereo or multi-view scene that saves each view to its own file (SceneInfo.viewFiles) makes
 * several files per frame; its tasks carry the views' suffixes (`viewSuffixes` on the wire) so
 * the controller and the agent both hold each frame to all of them. A suffix becomes part of an
 * output file name, so it must be one the wire carries; Blender accepts any text there.
 */

const SAFE_SUFFIX = /^[A-Za-z0-9._-]{1,63}$/;

/** The views' file suffixes for the task spec, or undefined when each frame is one file. */
export function viewSuffixesOf(info: SceneInfo | null): string[] | undefined {
  const views = info?.viewFiles;
  if (!views || views.length < 2) return undefined;
  for (const view of views) {
    if (!SAFE_SUFFIX.test(view.suffix)) {
      throw new SceneError(`The scene's view "${view.name}" has the file suffix ${JSON.stringify(view.suffix)}, which cannot be part of a file name here; in Blender's Stereoscopy panel give it a suffix of letters, digits, '.', '_' or '-' (such as "_L").`);
    }
  }
  const suffixes = views.map((v) => v.suffix);
  const twice = suffixes.find((s, i) => suffixes.indexOf(s) !== i);
  if (twice !== undefined) {
    throw new SceneError(`Two of the scene's views have the file suffix "${twice}", so Blender would save one over the other; give each view its own suffix in Blender's Stereoscopy panel.`);
  }
  return suffixes;
}

/** The job's warning when --video is asked of a scene that saves each view to its own file. */
export function oneViewVideoWarning(info: SceneInfo): string {
  const first = info.viewFiles![0]!;
  return `The scene saves each stereo view to its own file, so the video is made from the ${first.name} view (${first.suffix} files) only; every view's frames are in the output folder.`;
}
