import { basename, extname, resolve } from 'node:path';
import { z } from 'zod';
import type { FileRef, JobWorkspace } from '../../../../node-agent/protocol/index.js';
import { ImageFormatSchema, RenderEngineSchema, type ImageFormat } from '../../api/contract.js';
import type { DependencyManifest } from '../../api/views.js';
import type { JobRecord, TaskRecord } from '../../model/job-model.js';
import { chunkFrames } from '../chunk-frames.js';
import { initialChunks } from '../chunk-plan/initial-chunks.js';
import { formatFrameList, rangeFrames, type FrameList } from '../frame-list.js';
import { framesLabel } from '../frames-label.js';
import { newJob, newJobId, newTask } from '../new-job.js';
import { previewCount, splitPreview } from '../preview-frames.js';
import { parseSettings, SettingsError } from '../settings-error.js';
import { blenderWant } from './blender-want.js';
import { SceneError } from './scene-error.js';
import { sceneScriptsWarning } from './scene-scripts-warning.js';
import { unbakedSimulationsWarning } from './unbaked-simulations-warning.js';
import type { SceneInfo } from './scene-probe.js';
import { oneViewVideoWarning, viewSuffixesOf } from './view-files.js';
import { workspacePlan } from './workspace-plan.js';
import { tiledStillTasks, tiledStillWarning } from './tiled-still.js';
import { MAX_TILES, MIN_TILES } from './tile-regions.js';
import { checkWorkspaceSize } from './workspace-too-large-error.js';

/**
 * The Blender job type's compiler: settings + the scene's own facts → frame-chunk tasks.
 * Each task is one Blender process rendering its chunk into `<name>_####.<ext>`.
 * Format and engine are the API contract's enums, which the task spec on the wire accepts as is.
 */

export const BlenderJobSettingsSchema = z.object({
  scenePath: z.string().min(1),
  chunkSize: z.number().int().min(1).max(10_000).optional(),
  /** The longest a chunk should run when Farmhand sizes them (no chunkSize): chunk-plan/plan-chunks.ts. */
  targetChunkMinutes: z.number().positive().max(24 * 60).optional(),
  outputDir: z.string().min(1),
  format: ImageFormatSchema.optional(),
  engine: RenderEngineSchema.optional(),
  priority: z.number().int().min(0).max(100).default(50),
  tags: z.array(z.string().min(1).max(64)).max(32).default([]),
  taskTimeoutMs: z.number().int().min(1000).max(7 * 24 * 3600 * 1000).default(3_600_000),
  maxAttempts: z.number().int().min(1).max(20).default(3),
  /** Add a last task that encodes the collected frames into an MP4 at the scene's frame rate. */
  video: z.boolean().default(false),
  /** `any`: the scene's own Cycles device; `cpu`; `gpu`: only agents with a GPU. */
  device: z.enum(['any', 'cpu', 'gpu']).optional(),
  /** Only this Blender major.minor renders it (`4.1`); never one older than the file's. */
  blenderVersion: z.string().regex(/^\d{1,3}\.\d{1,3}$/, 'a Blender version is major.minor, like 4.1').optional(),
  /** Run the scene's Python: only agents started with --allow-scripts take its tasks. */
  trustScripts: z.boolean().optional(),
  /** The first tasks render single frames spread over the shot (preview-frames.ts), then the rest fills in. */
  previewFirst: z.boolean().optional(),
  /** One frame cut into this many regions, each on its own agent, merged into the frame (tiled-still.ts). */
  tiles: z.number().int().min(MIN_TILES).max(MAX_TILES).optional(),
});
export type BlenderJobSettings = z.input<typeof BlenderJobSettingsSchema> & {
  /** The frame list, read once at submit (`readFrameList`); default: the scene's own range. */
  frames?: FrameList;
};

export function compileBlenderJob(
  input: BlenderJobSettings,
  ctx: {
    scene: FileRef;
    scenePath: string;
    sceneInfo: SceneInfo | null;
    agentCount: number;
    /** Slots able to run the job (preview-first fills them once; able-capacity.ts); default: one per agent. */
    slotCount?: number;
    /** Every file the scene names (blend-dependencies.ts): the job's workspace, sent once to each agent that renders it. */
    manifest?: DependencyManifest | null;
    /** Render even with files missing: Blender's reports of them become warnings. */
    allowMissing?: boolean;
    /** The per-frame time an earlier job of this scene measured (chunk-plan/planning-memory.ts), for the first plan. */
    frameMsEstimate?: number | null;
  },
): JobRecord {
  const { frames: list, ...rest } = input;
  const settings = parseSettings(BlenderJobSettingsSchema, rest);
  const frames = list ? list.frames : sceneRange(ctx.sceneInfo);
  // Preview first: single frames spread over the shot go first (lowest indices, so they dispatch first); the rest is chunked.
  const { preview, rest: restFrames } = settings.previewFirst && !settings.tiles ? splitPreview(frames, previewCount(frames.length, ctx.slotCount ?? ctx.agentCount)) : { preview: [], rest: frames };
  // `--chunk N` pins the size; otherwise the planner sizes chunks, and the scheduler re-plans the
  // queued ones as it measures (adaptiveChunks). A scene with unbaked simulations keeps its first
  // plan: splitting it later would start them mid-sequence without the warning said at submit.
  const planned = settings.chunkSize === undefined
    ? initialChunks(restFrames, { agentCount: ctx.slotCount ?? ctx.agentCount, frameMs: ctx.frameMsEstimate ?? null, ...(settings.targetChunkMinutes ? { targetChunkMinutes: settings.targetChunkMinutes } : {}) })
    : null;
  const restChunks = restFrames.length === 0 ? [] : planned ? planned.chunks : chunkFrames(restFrames, settings.chunkSize!);
  const chunkSize = settings.chunkSize ?? Math.max(1, ...restChunks.map((c) => c.length));
  const adaptiveChunks = settings.chunkSize === undefined && !settings.tiles && (ctx.sceneInfo?.simulations ?? []).length === 0;
  const format = settings.format ?? sceneFormat(ctx.sceneInfo);
  const outputName = outputNameFor(ctx.scenePath);
  const viewSuffixes = viewSuffixesOf(ctx.sceneInfo);
  // The Blender, device and trust every task names, so the scheduler sends it only where it can run as asked.
  const blender = blenderWant(basename(ctx.scenePath), ctx.sceneInfo, settings.blenderVersion);
  const renderer = {
    ...(blender ? { blender } : {}),
    ...(settings.device === 'cpu' || settings.device === 'gpu' ? { device: settings.device } : {}),
    ...(settings.trustScripts ? { trustScripts: true } : {}),
  };
  const id = newJobId();
  // Even without a manifest the scene renders under its real name, so `blendcache_<name>/` resolves.
  const plan = workspacePlan(ctx.scenePath, ctx.manifest?.entries ?? []);
  // The files and path map go once into the job (sent once per agent connection as job.workspace);
  // each task names only the scene's place and that the workspace applies.
  const workspace: JobWorkspace | null = plan.files.length || plan.pathMap.length ? { scenePath: plan.scenePath, files: plan.files, pathMap: plan.pathMap } : null;
  if (workspace) checkWorkspaceSize(ctx.scenePath, workspace);
  const taskWorkspace = {
    scenePath: plan.scenePath,
    ...(workspace ? { workspace: true as const } : {}),
    ...(ctx.allowMissing ? { allowMissing: true } : {}),
  };
  // A task's inputs are the scene alone: the agent fetches the workspace's files by hash from job.workspace.
  const chunks = [...preview.map((frame) => [frame]), ...restChunks];
  // A tiled still (--tiles) is one frame in regions and a merge (preview-first has nothing to spread, and they are never re-planned).
  const tasks = settings.tiles ? tiledStillTasks({
    jobId: id, tiles: settings.tiles, frames, format, outputName, video: settings.video, sceneInfo: ctx.sceneInfo, scene: ctx.scene,
    common: { ...(settings.engine ? { engine: settings.engine } : {}), ...(viewSuffixes ? { viewSuffixes } : {}), ...taskWorkspace, ...renderer },
  }) : chunks.map((chunk, i) =>
    newTask(id, i, framesLabel(formatFrameList(chunk), chunk.length), {
      type: 'blender',
      frames: chunk,
      outputName,
      format,
      ...(settings.engine ? { engine: settings.engine } : {}),
      ...(viewSuffixes ? { viewSuffixes } : {}),
      ...taskWorkspace,
      ...renderer,
    }, [ctx.scene]));
  for (const task of tasks.slice(0, preview.length)) task.preview = true;
  const frameTaskCount = settings.tiles ? 1 : tasks.length;
  if (settings.video) tasks.push(framesVideoTask(id, tasks, frames.length, format, outputName, ctx.sceneInfo));
  const job = newJob({
    id,
    name: basename(ctx.scenePath),
    type: 'blender',
    priority: settings.priority,
    tags: settings.tags,
    outputDir: resolve(settings.outputDir),
    // Every dependency is an input of the job by hash, so an agent's input.request for it is served.
    inputFiles: [{ sha256: ctx.scene.sha256, size: ctx.scene.size, path: resolve(ctx.scenePath) }, ...plan.inputFiles.filter((f) => f.sha256 !== ctx.scene.sha256)],
    // The resolution sizes the output before any frame is known (disk/room-for-job.ts); the fps paces the frame viewer's flipbook.
    // The scene's Cycles device stays with the job: a GPU scene rendered on a CPU agent says so (scheduler/gpu-scene-on-cpu.ts).
    settings: { ...settings, ...(list ? { frames: list.text } : {}), frameCount: frames.length, chunkSize, ...(adaptiveChunks ? { adaptiveChunks } : {}), ...(planned && restChunks.length > 0 && !settings.tiles ? { chunkPlan: planned.plan } : {}), ...(preview.length > 0 ? { previewFrames: preview.length } : {}), format, outputName, ...(ctx.sceneInfo ? { resolution: ctx.sceneInfo.resolution, fps: ctx.sceneInfo.fps } : {}), ...(ctx.sceneInfo?.cyclesDevice && (settings.engine ?? 'CYCLES') === 'CYCLES' ? { cyclesDevice: ctx.sceneInfo.cyclesDevice } : {}) },
    tasks,
  });
  // The video takes one view (chainedOutputs keeps the first view's frames) and says so.
  if (settings.video && viewSuffixes) job.warnings = [...(job.warnings ?? []), oneViewVideoWarning(ctx.sceneInfo!)];
  // Python Blender would skip, and simulations each chunk would start mid-sequence: said from the submit.
  const sceneWarnings = [sceneScriptsWarning(ctx.sceneInfo, settings.trustScripts === true), unbakedSimulationsWarning(ctx.sceneInfo, frameTaskCount, frames.length)].filter((w): w is string => w !== null);
  const tilesWarning = settings.tiles ? tiledStillWarning(settings.engine ?? ctx.sceneInfo?.engine ?? '') : null;
  if (tilesWarning) sceneWarnings.push(tilesWarning);
  if (sceneWarnings.length > 0) job.warnings = [...(job.warnings ?? []), ...sceneWarnings];
  return workspace ? { ...job, workspace } : job;
}

/** The frames-to-video task: depends on every frame task, gets their frames as inputs, in order. */
function framesVideoTask(jobId: string, frameTasks: TaskRecord[], frameCount: number, format: ImageFormat, outputName: string, info: SceneInfo | null): TaskRecord {
  if (!info) throw new SceneError('The scene\'s frame rate is unknown (Blender is not installed on this machine to read it), so --video cannot be used.');
  const frameExt = FRAME_EXTENSIONS[format];
  if (!frameExt) throw new SettingsError(`Frames in ${format} cannot be encoded to video; render PNG, JPEG or TIFF frames for --video.`);
  return newTask(jobId, frameTasks.length, 'video', {
    type: 'frames-video',
    fps: fpsRational(info.fps),
    frameExt,
    frameCount,
    outputName: `${outputName}.mp4`,
  }, [], frameTasks.map((t) => t.id), { inputsFromDependencies: true });
}

const FRAME_EXTENSIONS: Partial<Record<ImageFormat, 'png' | 'jpg' | 'tif' | 'bmp' | 'tga'>> = {
  PNG: 'png', JPEG: 'jpg', TIFF: 'tif', BMP: 'bmp', TARGA: 'tga',
};

/** Whether frames in `format` (a scene's own, any text) can be encoded into the --video MP4. */
export function canEncodeToVideo(format: string): boolean {
  return Object.hasOwn(FRAME_EXTENSIONS, format);
}

/** Blender's fps/fps_base as the exact rational ffmpeg wants: 24 → "24", 29.97… → "30000/1001". */
export function fpsRational(fps: number): string {
  if (Math.abs(fps - Math.round(fps)) < 1e-9) return String(Math.round(fps));
  const ntsc = Math.round(fps * 1001);
  if (Math.abs(ntsc / 1001 - fps) < 1e-6) return `${ntsc}/1001`;
  return `${Math.round(fps * 1000)}/1000`;
}

function sceneRange(info: SceneInfo | null): number[] {
  if (!info) throw new SceneError('The scene\'s frame range is unknown (Blender is not installed on this machine to read it); pass --frames, e.g. --frames 1-250.');
  return rangeFrames(info.frameStart, info.frameEnd, info.frameStep);
}

function sceneFormat(info: SceneInfo | null): ImageFormat {
  const parsed = ImageFormatSchema.safeParse(info?.fileFormat);
  return parsed.success ? parsed.data : 'PNG';
}

/** `My Scene.v2.blend` → `My_Scene.v2`: the base of `<name>_####.<ext>`, safe on every file system. */
export function outputNameFor(scenePath: string): string {
  const stem = basename(scenePath, extname(scenePath)).replace(/[^A-Za-z0-9._-]+/g, '_').replace(/^[._-]+/, '');
  return (stem || 'frame').slice(0, 100);
}
