/**
 * Blender errors that come from the scene itself, so that a retry cannot fix them: the same
 * .blend fails the same way on every agent with the same Blender. The agent names such a fault
 * in `task.failed` (`sceneFault`: Blender's line, normalised) and says it as one sentence with
 * the fix; the controller pauses the job when the first attempts on two different agents fail
 * with the same fault (electron/controller/scheduler/fail-fast.ts), instead of spending every
 * task's retries across the farm.
 *
 * The class, from Blender's render pipeline checks that run before any pixel (`RE_is_rendering_allowed`
 * and its camera check; the wording is the same in Blender 3.x and 4.x):
 * - `Cannot render, no camera`: the scene has no active camera;
 * - `No camera found in scene "X"` (and `… (used in compositing)`): a scene a strip or a
 *   compositor Render Layers node uses has none;
 * - `All render layers are disabled`: no view layer is set to render;
 * - `No border area selected`: a render region of zero size (Blender 3.4.1 says `Image too small`
 *   for it instead, measured: its pipeline sizes the region before that check);
 * - `No node tree in scene` / `No render output node in scene`: compositing is on without a
 *   usable node tree;
 * - `Border rendering is not supported by sequencer`;
 * - `Image too small`: a resolution Blender refuses, at its percentage, or an empty render region.
 * Not in the class: anything that depends on the agent (a missing file or library, a crash, a
 * signal, out of memory, a GPU error, a Python error that may come from an add-on the agent
 * lacks, a disk that is full): those are retried as before, elsewhere if need be.
 */

interface SceneFaultRule {
  line: RegExp;
  /** The part of the sentence after `Blender cannot render "scene.blend": `: the problem, then the fix. */
  says: (m: RegExpExecArray) => string;
}

const RESUBMIT = 'save the scene and submit it again';

const RULES: SceneFaultRule[] = [
  { line: /^Cannot render, no camera$/, says: () => `no camera is set for the scene; add a camera, make it the scene's camera (Scene properties), ${RESUBMIT}` },
  { line: /^No camera found in scene "(.*)"( \(used in compositing\))?$/, says: (m) => `no camera is set for the scene "${m[1]}" it uses; give that scene a camera, ${RESUBMIT}` },
  { line: /^All render layers are disabled$/, says: () => `no view layer is set to render; tick "Use for Rendering" on a view layer, ${RESUBMIT}` },
  { line: /^No border area selected$/, says: () => `its render region is empty; turn off Render Region or draw a larger one, ${RESUBMIT}` },
  { line: /^No node tree in scene$/, says: () => `compositing is on but the scene has no compositor nodes; turn off Use Nodes or add them, ${RESUBMIT}` },
  { line: /^No render output node in scene$/, says: () => `its compositor has no Composite output node; add one, ${RESUBMIT}` },
  { line: /^Border rendering is not supported by sequencer$/, says: () => `a render region cannot be used with the sequencer; turn off Render Region, ${RESUBMIT}` },
  // Two causes give this line (a resolution that rounds to nothing at its percentage, and a render region of no area), so the fix names both.
  { line: /^Image too small$/, says: () => `its output image is too small (the resolution at its percentage, or an empty render region); raise the resolution or its percentage, or turn off Render Region, ${RESUBMIT}` },
];

export interface SceneFault {
  /** Blender's line, normalised (trimmed, spaces collapsed, no final full stop): what two agents' failures are compared by. */
  fault: string;
  /** One sentence: the problem and the fix. */
  sentence: string;
}

/** Blender's error line as compared across agents: trimmed, runs of spaces as one, no final full stop. */
export function normaliseBlenderError(line: string): string {
  return line.trim().replace(/\s+/g, ' ').replace(/\.$/, '');
}

/** The first of Blender's `Error:` lines (their text) that is a scene fault, or null. */
export function sceneFault(errors: readonly string[], sceneName: string): SceneFault | null {
  for (const error of errors) {
    const fault = normaliseBlenderError(error);
    for (const rule of RULES) {
      const m = rule.line.exec(fault);
      if (m) return { fault, sentence: `Blender cannot render "${sceneName}": ${rule.says(m)}.` };
    }
  }
  return null;
}
