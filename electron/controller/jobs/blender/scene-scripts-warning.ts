import type { SceneInfo } from './scene-probe.js';

/** At most this many script names are given; the rest are counted. */
const SHOWN = 5;

/**
 * A scene whose Python (registered text blocks, driver expressions Blender's simple evaluator
 * does not handle) Blender skips without trust: submitted without --trust-scripts, its rig may
 * render wrong while every task succeeds, so the job says so from its submit, naming them.
 * Null when the scene needs no scripts, or the job trusts them.
 */
export function sceneScriptsWarning(info: SceneInfo | null, trustScripts: boolean): string | null {
  if (trustScripts || !info?.scripts) return null;
  const names = [...info.scripts.modules.map((m) => `text "${m}"`), ...info.scripts.drivers.map((d) => `driver ${d}`)];
  if (names.length === 0) return null;
  const more = names.length > SHOWN ? ` and ${names.length - SHOWN} more` : '';
  return `The scene runs Python that Blender skips without trust: ${names.slice(0, SHOWN).join(', ')}${more}; its frames may be wrong. Submit with --trust-scripts to run it on agents started with --allow-scripts.`;
}
