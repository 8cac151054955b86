import { DEFAULT_FRAME_MS, DEFAULT_STARTUP_MS, DEFAULT_TARGET_CHUNK_MINUTES } from './plan-defaults.js';
import type { ChunkPlanRecord } from './chunk-plan-sentence.js';
import { chunksOfSizes, planChunkSizes } from './plan-chunks.js';

/**
 * A new job's chunks, planned at submit from what is known then: how many agents can take it,
 * and the per-frame time of an earlier job of the same scene (planning-memory.ts), else
 * `DEFAULT_FRAME_MS`. Every agent counts as one slot with the default start-up here; once the
 * job is in the scheduler, the chunk re-planner (scheduler/chunk-replanner.ts) plans its
 * queued chunks again with the slots and start-ups it knows, and again as frames are measured.
 */
export function initialChunks(frames: readonly number[], o: { agentCount: number; frameMs?: number | null; targetChunkMinutes?: number }): { chunks: number[][]; plan: ChunkPlanRecord } {
  const agents = Number.isFinite(o.agentCount) ? Math.max(1, Math.floor(o.agentCount)) : 1;
  const frameMs = o.frameMs && o.frameMs > 0 ? o.frameMs : DEFAULT_FRAME_MS;
  const slots = Array.from({ length: Math.min(agents, 1024) }, () => ({ startupMs: DEFAULT_STARTUP_MS, frameMs }));
  const targetChunkMs = (o.targetChunkMinutes ?? DEFAULT_TARGET_CHUNK_MINUTES) * 60_000;
  const chunks = chunksOfSizes(frames, planChunkSizes({ frameCount: frames.length, slots, targetChunkMs }));
  return { chunks, plan: { chunks: chunks.length, frameMs, source: o.frameMs && o.frameMs > 0 ? 'scene' : 'default', replans: 0 } };
}
