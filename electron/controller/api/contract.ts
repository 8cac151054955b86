import { z } from 'zod';
import type { ApiErrorCode } from './api-errors.js';
import type { AgentView, DependencyManifest, JobState, JobSummary, JobType, SceneInfo, TaskAttemptView, TaskState, TaskView } from './views.js';

/**
 * The one API of the controller service (Heroic's typed IPC contract): every command a
 * client may send, with the schema its parameters are checked against and the type of its
 * result, and the events the service pushes. The CLI (over WebSocket), a browser (over
 * WebSocket) and the desktop app (over Electron IPC) all speak exactly this, so a command
 * cannot drift between them. Only this file defines a command; transports just carry
 * `{ command, params }` and return the result or an ApiError. It and the views it shows
 * (views.ts) import nothing of the controller, so a client reads them without its internals.
 */

const id = z.string().regex(/^[A-Za-z0-9._:-]{1,128}$/, 'use an id as printed by farmhand jobs');
const priority = z.number().int().min(0).max(100);
const tags = z.array(z.string().regex(/^[A-Za-z0-9._-]{1,64}$/, 'tags are plain words like gpu or linux')).max(32);
const page = {
  offset: z.number().int().min(0).max(10_000_000).default(0),
  limit: z.number().int().min(1).max(1000).default(100),
};
const jobStates = ['queued', 'running', 'paused', 'succeeded', 'failed', 'canceled'] as const satisfies readonly JobState[];
const taskStates = ['queued', 'assigned', 'running', 'succeeded', 'failed', 'canceled'] as const satisfies readonly TaskState[];
/**
 * Most thumbnails one frames.thumbnails call returns: each is a JPEG of at most 160 × 160
 * (~2–20 KB, a third more as base64), so a full answer stays well under the API's 1 MiB frame.
 */
export const MAX_THUMBNAILS_PER_CALL = 24;
const frame = z.number().int().min(0).max(1_048_574);
/**
 * Largest full frame frames.image sends, in image bytes (its file for PNG and JPEG, the PNG
 * made for EXR): as base64 (a third more) one answer stays well under the 16 MB a WebSocket
 * client may have unsent before the controller drops it as too slow. 8 MiB holds a 1080p PNG
 * (3–6 MB from Blender); a larger frame is refused with a sentence naming its file.
 */
export const MAX_FRAME_IMAGE_BYTES = 8 * 1024 * 1024;
/** EXR exposure in stops (×2 per stop), as far as the frame viewer's control goes. */
export const MAX_EXPOSURE_STOPS = 10 as const;

/**
 * Blender's image formats and engines a render job may ask for: the types the Blender
 * compiler takes, and the same lists as the task spec on the wire (node-agent/protocol), which
 * the compiler's types hold to.
 */
export const ImageFormatSchema = z.enum(['PNG', 'JPEG', 'OPEN_EXR', 'OPEN_EXR_MULTILAYER', 'TIFF', 'BMP', 'TARGA']);
export type ImageFormat = z.infer<typeof ImageFormatSchema>;
export const RenderEngineSchema = z.enum(['CYCLES', 'BLENDER_EEVEE', 'BLENDER_WORKBENCH']);
export type RenderEngine = z.infer<typeof RenderEngineSchema>;

export const RenderSubmitSchema = z.object({
  type: z.literal('render'),
  /** Absolute path of the .blend on the controller's machine. */
  scenePath: z.string().min(1).max(4096),
  frames: z.string().max(10_000).optional(),
  chunkSize: z.number().int().min(1).max(10_000).optional(),
  /**
   * Without chunkSize, Farmhand sizes the chunks from measured costs (start-up ≤ 5 % of a chunk,
   * agents ending together) and keeps each under this many minutes (default 10).
   */
  targetChunkMinutes: z.number().positive().max(24 * 60).optional(),
  outputDir: z.string().min(1).max(4096).optional(),
  format: ImageFormatSchema.optional(),
  engine: RenderEngineSchema.optional(),
  video: z.boolean().default(false),
  priority: priority.default(50),
  tags: tags.default([]),
  taskTimeoutSeconds: z.number().int().min(1).max(7 * 86_400).optional(),
  /** Submit even when files the scene names are missing on the controller's disk; the job carries a warning. */
  allowMissing: z.boolean().optional(),
  /**
   * Path mapping for absolute paths the scene names (a scene made on Windows names `C:\tex\a.png`):
   * a path starting with `from` is looked for under `to` on the controller's machine.
   */
  pathMap: z.array(z.object({ from: z.string().min(1).max(4096), to: z.string().min(1).max(4096) })).max(100).optional(),
  /** `any` (default): the scene's own Cycles device; `cpu`; `gpu`: only agents with a GPU. */
  device: z.enum(['any', 'cpu', 'gpu']).optional(),
  /** Render only with this Blender major.minor (`4.1`); never one older than the file's. */
  blenderVersion: z.string().regex(/^\d{1,3}\.\d{1,3}$/, 'a Blender version is major.minor, like 4.1').optional(),
  /** Run the scene's Python (drivers, registered scripts): only on agents started with --allow-scripts. */
  trustScripts: z.boolean().optional(),
  /**
   * Preview first: the first tasks render single frames spread over the shot (first, last,
   * middle, quarters, …; at least 5 or one per agent, at most an eighth of the shot), marked
   * `preview` in their TaskView, then the rest fills in. Off when absent.
   */
  previewFirst: z.boolean().optional(),
  /**
   * One still across the farm: the single frame is cut into this many regions (2–64, a grid
   * chosen for the frame's shape), each rendered on its own agent and merged on the controller
   * into `<name>_####.<ext>`. PNG or OPEN_EXR only; one frame only.
   */
  tiles: z.number().int().min(2).max(64).optional(),
});
export type PathMapRule = NonNullable<z.infer<typeof RenderSubmitSchema>['pathMap']>[number];

export const TranscodeSubmitSchema = z.object({
  type: z.literal('transcode'),
  /** Absolute path of the video on the controller's machine. */
  inputPath: z.string().min(1).max(4096),
  outputPath: z.string().min(1).max(4096).optional(),
  chunks: z.number().int().min(1).max(10_000).optional(),
  chunkSeconds: z.number().positive().max(86_400).optional(),
  videoCodec: z.string().max(32).optional(),
  crf: z.number().int().min(0).max(63).optional(),
  preset: z.string().max(32).optional(),
  scale: z.tuple([z.number().int().min(16).max(16_384), z.number().int().min(16).max(16_384)]).optional(),
  audioCodec: z.string().max(32).optional(),
  audioBitrate: z.string().max(16).optional(),
  priority: priority.default(50),
  tags: tags.default([]),
  taskTimeoutSeconds: z.number().int().min(1).max(7 * 86_400).optional(),
});

export const SubmitSchema = z.discriminatedUnion('type', [RenderSubmitSchema, TranscodeSubmitSchema]);
export type SubmitParams = z.input<typeof SubmitSchema>;

/** Every command: its parameter schema. Results are typed in ApiResults below. */
export const ApiCommands = {
  'jobs.submit': SubmitSchema,
  'jobs.list': z.object({ state: z.array(z.enum(jobStates)).max(6).optional(), ...page }),
  'jobs.get': z.object({ jobId: id }),
  'jobs.pause': z.object({ jobId: id }),
  'jobs.resume': z.object({ jobId: id }),
  'jobs.cancel': z.object({ jobId: id }),
  'jobs.delete': z.object({ jobId: id }),
  'jobs.retry': z.object({ jobId: id }),
  'jobs.setPriority': z.object({ jobId: id, priority }),
  'tasks.list': z.object({ jobId: id, state: z.array(z.enum(taskStates)).max(6).optional(), ...page }),
  /** `fromLine`: only lines from that number on (0 = the attempt's first line), so a follower reads just what is new. */
  'tasks.log': z.object({ taskId: id, attempt: z.number().int().min(1).max(1000).optional(), fromLine: z.number().int().min(0).max(1_000_000_000).optional() }),
  'agents.list': z.object({}),
  /** `HOST:PORT` (as typed, without a scheme) or `wss://HOST:PORT`; the service makes it `wss://HOST:PORT`. */
  'agents.add': z.object({ url: z.string().trim().regex(/^(wss?:\/\/)?[^\s/]+(:\d{1,5})?\/?$/, 'give the agent as HOST:PORT or wss://HOST:PORT, e.g. 10.0.0.5:7420') }),
  'agents.remove': z.object({ agentId: id }),
  'agents.setEnabled': z.object({ agentId: id, enabled: z.boolean() }),
  'agents.setTags': z.object({ agentId: id, tags }),
  /** No new tasks for the agent; the ones it runs finish (undo with agents.setEnabled). */
  'agents.drain': z.object({ agentId: id }),
  /** No new tasks, and the ones it runs are stopped there and requeued without counting a failed attempt. */
  'agents.stopNow': z.object({ agentId: id }),
  'farm.info': z.object({}),
  /** What a file on the controller's machine holds (a scene's settings, a video's streams), to pre-fill a submission. */
  'files.probe': z.object({ path: z.string().min(1).max(4096) }),
  'farm.status': z.object({}),
  'farm.pauseQueue': z.object({}),
  'farm.resumeQueue': z.object({}),
  /** A render job's frames in render order, each with its task and whether its file has arrived (the frame grid's cells). */
  /** Frames are small (about 80 bytes each), so a page may hold up to 10,000: a whole render in one call. */
  'frames.list': z.object({ jobId: id, offset: page.offset, limit: z.number().int().min(1).max(10_000).default(1000) }),
  /** Small JPEG thumbnails of rendered frames, made once and cached with the job; ask only for frames in view. */
  'frames.thumbnails': z.object({ jobId: id, frames: z.array(frame).min(1).max(MAX_THUMBNAILS_PER_CALL) }),
  /**
   * One rendered frame full size, for the frame viewer: PNG and JPEG as they are, EXR (and
   * TIFF, BMP, Targa) converted to PNG by the controller's ffmpeg. `exposure` (stops) applies to
   * EXR only, in linear light before the sRGB curve. Only the job's own collected frame files
   * are served, never a path from the client.
   */
  'frames.image': z.object({ jobId: id, frame, exposure: z.number().min(-MAX_EXPOSURE_STOPS).max(MAX_EXPOSURE_STOPS).default(0) }),
} as const;

export type ApiCommand = keyof typeof ApiCommands;
export type ApiParams<C extends ApiCommand> = z.input<(typeof ApiCommands)[C]>;
/** Parameters after the schema (defaults filled in): what the service receives. */
export type ApiParsedParams<C extends ApiCommand> = z.output<(typeof ApiCommands)[C]>;

/** A job with what a detail view needs beyond the summary. */
export interface JobDetail extends JobSummary {
  paused: boolean;
  tags: string[];
  outputDir: string;
  endedAt: number | null;
  /** Fraction 0–1 over all tasks (running ones count by their progress). */
  progress: number;
  settings: Record<string, unknown>;
}

export interface Page<T> {
  items: T[];
  total: number;
  offset: number;
}

export interface FarmStatus {
  jobs: { total: number; running: number; queued: number; failed: number };
  agents: { total: number; online: number; busySlots: number; slots: number };
  /** Overall progress of unfinished jobs, 0–1; null when nothing is unfinished. */
  progress: number | null;
  /** The whole queue is on hold (farm.pauseQueue): no new task starts anywhere; running ones finish. */
  queuePaused: boolean;
}

/** About the controller itself, for the settings view. */
export interface FarmInfo {
  /**
   * The farm key, which is the pairing code agents are started with (`farmhand-agent
   * --farm-key`). Any API client may see it: the API token already gives control of the farm.
   */
  farmKey: string;
  /**
   * Whether the controller finds agents on its network by itself (mDNS); false when started
   * with --no-discover, so only agents added by address join. Absent from controllers before
   * it was reported: treat that as unknown.
   */
  discovery?: boolean;
  /** Where jobs without an output folder write (`<outputRoot>/<job name>`). */
  outputRoot: string;
  /** The controller's data folder (FARMHAND_HOME): farm key, job store, logs, uploads. */
  dataFolder: string;
  version: string;
  /** Tools on the controller's own machine (paths, or null when absent): Blender reads odd scenes, ffprobe reads videos, ffmpeg serves the local agent. */
  tools: { blender: string | null; ffmpeg: string | null; ffprobe: string | null };
}

/** What `files.probe` found: enough to pre-fill the submit dialog and show the file's facts. */
export type FileProbe = SceneProbe | VideoProbe;

/** The scene's own settings as the job reads them (SceneInfo), less its output path, which the job replaces. */
export interface SceneProbe extends Omit<SceneInfo, 'outputPath'> {
  kind: 'scene';
  path: string;
  name: string;
  sizeBytes: number;
  /** Every external file the scene names (missing ones first), as jobs.submit will check them. */
  dependencies?: DependencyManifest;
}

export interface VideoProbe {
  kind: 'video';
  path: string;
  name: string;
  sizeBytes: number;
  durationSeconds: number;
  /** Frames per second as a number, and ffprobe's exact rational (e.g. "30000/1001"). */
  fps: number;
  frameRate: string;
  frameCount: number;
  container: string;
  video: { codec: string; width: number; height: number; pixelFormat: string };
  audio: { codec: string; sampleRate: number; channels: number } | null;
}

export interface ApiResults {
  'jobs.submit': JobSummary;
  'jobs.list': Page<JobSummary>;
  'jobs.get': JobDetail;
  'jobs.pause': JobSummary;
  'jobs.resume': JobSummary;
  'jobs.cancel': JobSummary;
  'jobs.delete': { jobId: string; deleted: true };
  'jobs.retry': JobSummary & { requeued: number };
  'jobs.setPriority': JobSummary;
  'tasks.list': Page<TaskView>;
  /**
   * `firstLine`: the number of lines[0] (0-based; above 0 when `fromLine` was given or the
   * attempt printed more than is kept); `totalLines`: how many lines the attempt printed so far.
   */
  /** `history`: every attempt kept (agent, start, end, outcome), oldest first, for the attempt picker; absent from older controllers. */
  'tasks.log': { taskId: string; attempt: number; attempts: number; lines: string[]; firstLine: number; totalLines: number; history?: TaskAttemptView[] };
  'agents.list': AgentView[];
  'agents.add': { url: string };
  'agents.remove': { agentId: string; removed: true };
  'agents.setEnabled': AgentView;
  'agents.setTags': AgentView;
  'agents.drain': AgentView;
  'agents.stopNow': AgentView & { requeued: number };
  'farm.info': FarmInfo;
  'files.probe': FileProbe;
  'farm.status': FarmStatus;
  'farm.pauseQueue': { queuePaused: true };
  'farm.resumeQueue': { queuePaused: false };
  'frames.list': Page<JobFrame>;
  'frames.thumbnails': { jobId: string; thumbnails: FrameThumbnail[] };
  'frames.image': FrameImage;
}

export type ApiResult<C extends ApiCommand> = ApiResults[C];

/** One frame of a render job (frames.list). */
export interface JobFrame {
  frame: number;
  taskId: string;
  /** The task's index (TaskView.index), so a client finds it in its task list without a lookup table. */
  taskIndex: number;
  /** Its file is in the job's output folder, so it can have a thumbnail. */
  rendered: boolean;
}

/**
 * One frame's answer in frames.thumbnails: the thumbnail as a `data:image/jpeg;base64,…` URL,
 * or why there is none, per frame, so one missing frame does not cost the others theirs
 * (`bad-input`: not rendered yet; `not-found`: not a frame of the job; `internal`: ffmpeg could
 * not read the file). A controller without ffmpeg fails the whole call with `unavailable`.
 */
export interface FrameThumbnail {
  frame: number;
  image: string | null;
  problem: { code: ApiErrorCode; message: string } | null;
}

/** One frame full size (frames.image). */
export interface FrameImage {
  jobId: string;
  frame: number;
  /** The frame's file, relative to the job's output folder. */
  name: string;
  /** `data:image/png;base64,…` or `data:image/jpeg;base64,…`, at the frame's own resolution. */
  image: string;
  /** The file's format, read from its first bytes: png and jpeg are sent as they are, the others converted to PNG. */
  format: FrameImageFormat;
  /** The stops applied (EXR), else null. */
  exposure: number | null;
  /** The size of the frame's file. */
  fileBytes: number;
}

export type FrameImageFormat = 'png' | 'jpeg' | 'exr' | 'tiff' | 'bmp' | 'targa';

/** What every transport exposes: one async function per command. */
export type FarmApi = { [C in ApiCommand]: (params: ApiParsedParams<C>) => Promise<ApiResult<C>> };

/** Events pushed to clients, batched (see ApiEventBatcher): the latest state per id wins within a batch. */
export type ApiEvent =
  | { kind: 'job'; job: JobSummary }
  | { kind: 'job.deleted'; jobId: string }
  | { kind: 'task'; task: TaskView }
  | { kind: 'agent'; agent: AgentView }
  | { kind: 'notice'; level: 'info' | 'warn' | 'error'; text: string };

export { ApiError, type ApiErrorCode } from './api-errors.js';

export type { AgentView, JobState, JobSummary, JobType, SceneInfo, TaskAttemptView, TaskState, TaskView };
