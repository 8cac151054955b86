import type { JobRecord } from '../../model/job-model.js';

/**
 * What a render job's chunk plan is, said in one sentence for the job's summary (the API, the
 * CLI's `farmhand job`, the UI's job page), so a plan is never only in a log:
 * "3 chunks of up to 16 frames, sized from measured 0.5 s/frame (re-planned 2 times)."
 * `settings.chunkPlan` is what the planner last used (blender-job.ts at submit, then
 * scheduler/chunk-replanner.ts).
 */

/** The planner's last plan, kept in a job's settings. */
export interface ChunkPlanRecord {
  chunks: number;
  frameMs: number;
  source: 'measured' | 'scene' | 'default';
  replans: number;
  /** Chunks cut again as an agent took them, to fit that agent's speed (chunk-replanner.ts `fitHead`); absent: none. */
  fitted?: number;
}

/** From the job's settings alone (a summary is made on every change of a job: no scan of its tasks). */
export function chunkPlanSentence(job: Pick<JobRecord, 'type' | 'settings' | 'tasks'>): string | undefined {
  if (job.type !== 'blender' || typeof job.settings.tiles === 'number') return undefined; // a tiled still has regions, not chunks
  const s = job.settings;
  const plan = s.chunkPlan as ChunkPlanRecord | undefined;
  const size = typeof s.chunkSize === 'number' ? s.chunkSize : 1;
  const previews = typeof s.previewFrames === 'number' ? s.previewFrames : 0;
  const chunks = plan ? plan.chunks : Math.max(0, job.tasks.length - previews - (s.video === true ? 1 : 0));
  const count = `${chunks} chunk${chunks === 1 ? '' : 's'}`;
  if (!plan) return `${count} of ${chunks > 1 ? 'up to ' : ''}${size} frames (--chunk ${size}).`;
  const time = `${(plan.frameMs / 1000).toFixed(plan.frameMs < 10_000 ? 1 : 0)} s/frame`;
  const from = plan.source === 'measured' ? `measured ${time}` : plan.source === 'scene' ? `${time} measured on an earlier job of this scene` : `the default ${time}`;
  const fitted = plan.fitted ? `${plan.fitted} cut to fit the agent that took ${plan.fitted === 1 ? 'it' : 'them'}` : '';
  const replanned = plan.replans > 0 ? `re-planned ${plan.replans === 1 ? 'once' : `${plan.replans} times`}` : '';
  const replans = replanned || fitted ? ` (${[replanned, fitted].filter(Boolean).join('; ')})` : '';
  const kept = s.adaptiveChunks === true ? '' : '; kept as planned, for its unbaked simulations';
  return `${count} of up to ${size} frames, sized from ${from}${replans}${kept}.`;
}
