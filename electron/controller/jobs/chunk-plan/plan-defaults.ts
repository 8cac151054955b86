/**
 * The numbers the chunk planner (plan-chunks.ts) aims at, and what it assumes before anything
 * is measured. Kept apart so the CLI, the API and the tests name the same values.
 */

/** A Blender start-up may cost at most this share of its chunk's time (issue 19: 5 %). */
export const STARTUP_SHARE = 0.05;

/** The longest a chunk should run by default (`--target-chunk-minutes`): retries and progress stay fine-grained. */
export const DEFAULT_TARGET_CHUNK_MINUTES = 10;

/**
 * The per-frame time assumed before the job's own frames or an earlier job of the same scene
 * say otherwise. 10 s is long for a preview-sized scene and short for a production frame: it
 * keeps one agent's 48-frame job in one chunk (8 min < the 10-min target), yet still splits a
 * several-agent job in a few chunks per agent, so the first measured frames can re-plan the
 * queued rest (a running chunk cannot be split).
 */
export const DEFAULT_FRAME_MS = 10_000;

/** A Blender start-up (process start → first `Fra:` line) before an agent's own was measured: the 1.8–2.6 s. */
export const DEFAULT_STARTUP_MS = 2_500;
