/**
 * How a render job asked to be rendered, in one line for its detail page ("CPU · Blender 3.4 ·
 * scripts trusted"): the choices that decide which agents may take it, so a job waiting for
 * such an agent can be checked against what was submitted. Read from the job's settings.
 */
export function jobRendererLine(settings: Record<string, unknown>): string {
  const device = settings.device === 'cpu' ? 'CPU'
    : settings.device === 'gpu' ? 'GPU only'
    : settings.cyclesDevice === 'GPU' ? "the scene's device (GPU)"
    : "the scene's device";
  const blender = typeof settings.blenderVersion === 'string' ? `Blender ${settings.blenderVersion}` : "the file's Blender or newer";
  const scripts = settings.trustScripts === true ? 'scripts trusted' : 'scripts not run';
  return `${device} · ${blender} · ${scripts}`;
}
