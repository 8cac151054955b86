import { access } from 'node:fs/promises';
import { basename, join, resolve } from 'node:path';
import type { ImageFormat, PathMapRule, RenderEngine } from '../controller/api/contract.js';
import { prepareJob } from '../controller/jobs/submit-job.js';
import { startFarm, type FarmOptions } from '../farm/start-farm.js';
import { ONE_SHOT_WORDING } from './one-shot-wording.js';
import { formatRenderWarnings, renderWarnings } from './render-warnings.js';
import { TerminalOutput, type TerminalOptions } from './terminal-output.js';
import { watchJob } from './watch-job.js';
import { framesCollected } from '../farm/run-to-end.js';

/** `farmhand render SCENE.blend`: one Blender job on the farm, from start to every frame on disk. */

export interface RenderOptions extends FarmOptions, TerminalOptions {
  frames?: string;
  chunk?: number;
  targetChunkMinutes?: number;
  /** One still across the farm: the single frame cut into this many regions. */
  tiles?: number;
  out?: string;
  priority: number;
  format?: ImageFormat;
  engine?: RenderEngine;
  timeout?: number;
  video: boolean;
  allowMissing?: boolean;
  mapPath?: PathMapRule[];
  device?: 'any' | 'cpu' | 'gpu';
  blenderVersion?: string;
  /** Run the scene's Python: this machine's agent allows it for this render (the user's own consent), other agents need --allow-scripts. */
  trustScripts?: boolean;
  /** Single frames spread over the shot render first (jobs/preview-frames.ts). */
  previewFirst?: boolean;
  json: boolean;
}

/** The job as submit-job compiles it (the CLI reaches the controller only through its service entries). */
type CompiledJob = Awaited<ReturnType<ReturnType<typeof prepareJob>['compile']>>['job'];

/** What the render is split into, said once before it starts: its preview frames first, then its chunks. */
export function renderPlanLine(job: CompiledJob, sceneName: string, agentCount: number): string {
  const merge = job.tasks.find((t) => t.spec.type === 'tiles-merge')?.spec;
  if (merge?.type === 'tiles-merge') {
    const grid = `${new Set(merge.tiles.map((t) => t.x)).size}×${new Set(merge.tiles.map((t) => t.y)).size}`;
    return `Rendering frame ${merge.frame} of ${sceneName} as ${merge.tiles.length} tiles (${grid}) on ${agentCount} agent(s), merged into ${merge.outputName} → ${job.outputDir}`;
  }
  const frameTasks = job.tasks.filter((t) => t.spec.type === 'blender');
  const preview = frameTasks.filter((t) => t.preview).map((t) => (t.spec.type === 'blender' ? t.spec.frames[0]! : 0));
  const chunks = frameTasks.length - preview.length;
  const previewPart = preview.length > 0 ? `${preview.length} preview frame(s) first (${preview.join(', ')}), then ` : '';
  return `Rendering ${String(job.settings.frameCount)} frame(s) of ${sceneName} in ${previewPart}${chunks} chunk(s) of up to ${String(job.settings.chunkSize)} on ${agentCount} agent(s) → ${job.outputDir}`;
}

export async function renderCommand(scenePath: string, o: RenderOptions): Promise<number> {
  const started = performance.now();
  const scene = resolve(scenePath);
  // Checked before anything starts: a bad frame list or path fails at once.
  const prepared = prepareJob({
    type: 'render',
    scenePath: scene,
    ...(o.frames !== undefined ? { frames: o.frames } : {}),
    ...(o.chunk !== undefined ? { chunkSize: o.chunk } : {}),
    ...(o.targetChunkMinutes !== undefined ? { targetChunkMinutes: o.targetChunkMinutes } : {}),
    ...(o.tiles !== undefined ? { tiles: o.tiles } : {}),
    ...(o.out !== undefined ? { outputDir: resolve(o.out) } : {}),
    ...(o.format ? { format: o.format } : {}),
    ...(o.engine ? { engine: o.engine } : {}),
    ...(o.timeout ? { taskTimeoutSeconds: o.timeout } : {}),
    ...(o.allowMissing ? { allowMissing: true } : {}),
    ...(o.mapPath?.length ? { pathMap: o.mapPath } : {}),
    ...(o.device ? { device: o.device } : {}),
    ...(o.blenderVersion ? { blenderVersion: o.blenderVersion } : {}),
    ...(o.trustScripts ? { trustScripts: true } : {}),
    ...(o.previewFirst ? { previewFirst: true } : {}),
    video: o.video,
    priority: o.priority,
    tags: [],
  }, { outputRoot: resolve('farmhand-output'), home: o.home, blenderPath: o.blender, wording: ONE_SHOT_WORDING, pngFramesForVideo: true });
  // The farm (local agent, links) starts while the scene is read and hashed: neither waits for the other.
  const terminal = new TerminalOutput(o.quiet);
  const farmStarting = startFarm({ ...o, logger: terminal.logger, ...(o.trustScripts ? { localAgentAllowsScripts: true } : {}) });
  farmStarting.catch(() => undefined);
  const { job, agentCount } = await prepared.compile(async () => {
    const farm = await farmStarting;
    await farm.waitForAgents(prepared.taskType);
    return farm.ableCapacity(prepared.taskType); // preview first fills each slot once
  }).catch(async (error: unknown) => {
    await farmStarting.then((farm) => farm.close(), () => undefined);
    throw error;
  });
  const outputDir = job.outputDir;

  const farm = await farmStarting;
  try {
    const frameCount = Number(job.settings.frameCount);
    await farm.controller.admit(job);
    const submitWarnings = job.warnings?.length ?? 0;
    for (const warning of job.warnings ?? []) terminal.print(`Warning: ${warning}`);
    terminal.print(renderPlanLine(job, basename(scene), agentCount));
    const summary = await watchJob(farm, terminal, job.id, { label: job.name, unit: 'frames' });

    // A tiled still's frame is its merge's output; its tiles are intermediates in the work folder.
    const frameTasks = job.tasks.filter((t) => (t.spec.type === 'blender' && !t.spec.region) || t.spec.type === 'tiles-merge');
    const videoTask = job.tasks.find((t) => t.spec.type === 'frames-video');
    const missing: string[] = [];
    for (const task of job.tasks) {
      if (task.state !== 'succeeded' || task.intermediate) continue; // intermediates (a still's tiles) are gone with the work folder
      for (const name of task.collected) await access(join(outputDir, name)).catch(() => missing.push(name));
    }
    // Frames only: a File Output node's passes (passes/…) come back too, and are checked on disk above, but are not frames.
    const frameNames = frameTasks.filter((t) => t.state === 'succeeded').flatMap(framesCollected);
    const framesOnDisk = frameNames.filter((name) => !missing.includes(name)).length;
    const video = videoTask?.state === 'succeeded' ? join(outputDir, videoTask.collected[0] ?? '') : null;
    const seconds = ((performance.now() - started) / 1000).toFixed(1);
    const warned = renderWarnings(job.tasks.filter((t) => t.spec.type === 'blender'));
    // The job's own warnings that came while it ran (a GPU scene rendered on a CPU agent), once each.
    const lateWarnings = (job.warnings ?? []).slice(submitWarnings);
    for (const warning of lateWarnings) terminal.print(`Warning: ${warning}`);
    if (o.json) console.log(JSON.stringify({ job: summary, frames: frameCount, framesOnDisk, outputDir, video, seconds: Number(seconds), warnings: warned.warnings, ...(job.warnings?.length ? { jobWarnings: job.warnings } : {}) }));
    const warningLines = formatRenderWarnings(warned);
    if (warningLines) terminal.print(warningLines); // warnings alone do not fail the render: the frames are there
    if (summary.state === 'succeeded' && framesOnDisk === frameCount && missing.length === 0) {
      terminal.print(`Done: ${frameCount} frame(s) in ${outputDir}${video ? `, video ${video}` : ''} (${seconds} s).`);
      return 0;
    }
    const reason = summary.failure ?? job.tasks.find((t) => t.state === 'failed')?.error ?? `${summary.state}`;
    terminal.print(`Render ${summary.state === 'canceled' ? 'canceled' : 'failed'}: ${framesOnDisk} of ${frameCount} frame(s) are in ${outputDir}. ${reason}`);
    return 1;
  } finally {
    await farm.close();
  }
}
