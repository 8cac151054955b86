import { stat } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { ExrHeaderError, readExrHeader } from './exr-header.js';
import { viewFileNames, type RenderLayout } from './render-layout.js';

/**
 * Holds a finished render to the layout its Python step reported (render-layout.ts): the views
 * the job expected, every extra view layer's image, and every view layer (and view) inside a
 * multilayer EXR. Each check answers one sentence naming the problem, or null.
 */

/** The job's expectation (the task's `viewSuffixes`) against the views Blender saves to files of their own. */
export function viewsMismatch(layout: RenderLayout, expected: readonly string[] | undefined): string | null {
  const actual = layout.viewFiles === 'each' ? layout.views.map((v) => v.suffix) : [];
  const wanted = expected ?? [];
  if (actual.length === wanted.length && actual.every((s, i) => s === wanted[i])) return null;
  const saves = actual.length ? `each view to its own file (suffixes ${actual.join(', ')})` : 'one file per frame';
  const expects = wanted.length ? `one file per view (suffixes ${wanted.join(', ')})` : 'one file per frame';
  return `Blender saves ${saves} for this scene but the job expected ${expects}; submit the job again so the controller reads the scene's views anew.`;
}

/** The first extra view layer image (File Output under `passes/<folder>/`) that is missing or empty. */
export async function missingLayerImage(o: {
  layout: RenderLayout;
  workDir: string;
  /** The frames' main file names (`shot_0001.png`), before any view suffix. */
  frameNames: readonly string[];
}): Promise<string | null> {
  const suffixes = o.layout.viewFiles === 'each' ? o.layout.views.map((v) => v.suffix) : undefined;
  for (const layer of o.layout.extraLayers) {
    for (const frame of o.frameNames) {
      for (const name of viewFileNames(`passes/${layer.folder}/${frame}`, suffixes)) {
        const size = await stat(join(o.workDir, name)).then((s) => (s.isFile() ? s.size : 0), () => 0);
        if (size === 0) return `Blender did not save the view layer "${layer.name}" as ${name}; the frame is rendered again.`;
      }
    }
  }
  return null;
}

/**
 * The first multilayer EXR frame lacking a renderable view layer (no channel `<layer>.…`) or,
 * saved as one multi-view file, a view (its `multiView` attribute).
 */
export async function multilayerProblem(layout: RenderLayout, files: readonly string[]): Promise<string | null> {
  const combinedViews = layout.viewFiles === 'one' && layout.views.length > 1 ? layout.views.map((v) => v.name) : [];
  for (const file of files) {
    const name = basename(file);
    let header;
    try {
      header = await readExrHeader(file);
    } catch (error) {
      if (!(error instanceof ExrHeaderError)) throw error;
      return `The multilayer EXR ${name} could not be read (${error.message}); the frame is rendered again.`;
    }
    const missing = layout.layers.filter((layer) => !header.channels.some((c) => c.startsWith(`${layer}.`)));
    if (missing.length > 0) {
      return `The multilayer EXR ${name} lacks the view layer${missing.length > 1 ? 's' : ''} ${quoted(missing)} of the ${layout.layers.length} the scene renders; the frame is rendered again, and if this repeats check those layers' passes in Blender.`;
    }
    // One file for every view: each layer's channels for each view (`<layer>.<pass>.<view>.<channel>`, measured).
    const views = combinedViews.filter((view) => !(header.multiView ?? []).includes(view)
      || layout.layers.some((layer) => !header.channels.some((c) => c.startsWith(`${layer}.`) && c.includes(`.${view}.`))));
    if (views.length > 0) return `The multilayer EXR ${name} lacks the view${views.length > 1 ? 's' : ''} ${quoted(views)} the scene renders; the frame is rendered again.`;
  }
  return null;
}

function quoted(names: readonly string[]): string {
  const shown = names.slice(0, 5).map((n) => `"${n}"`).join(', ');
  return names.length > 5 ? `${shown} and ${names.length - 5} more` : shown;
}
