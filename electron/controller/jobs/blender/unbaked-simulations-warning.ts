import { MAX_CHUNK_FRAMES } from '../chunk-frames.js';
import type { SceneInfo } from './scene-probe.js';

/** At most this many simulations are named; the rest are counted. */
const SHOWN = 5;

/**
 * An unbaked simulation is computed frame after frame from its start: a render split into
 * chunks starts it afresh at each chunk's first frame, so every chunk after the first renders
 * it mid-sequence and wrong. The job says so from its submit, with the two ways out: bake it,
 * or one chunk covering the whole range (the exact `--chunk` value). Null with one chunk.
 */
export function unbakedSimulationsWarning(info: SceneInfo | null, chunkCount: number, frameCount: number): string | null {
  const simulations = info?.simulations ?? [];
  if (simulations.length === 0 || chunkCount <= 1) return null;
  const names = simulations.slice(0, SHOWN).map((s) => `${s.kind} on "${s.owner}"`).join(', ');
  const more = simulations.length > SHOWN ? ` and ${simulations.length - SHOWN} more` : '';
  const oneChunk = frameCount <= MAX_CHUNK_FRAMES ? `, or render it as one chunk with --chunk ${frameCount}` : '';
  return `The scene has unbaked simulations (${names}${more}) and renders in ${chunkCount} chunks: each chunk after the first starts them mid-sequence, so its frames may be wrong. Bake them in Blender${oneChunk}.`;
}
