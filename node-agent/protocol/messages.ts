import { z } from 'zod';

// zod compiles a parser for each object schema the first time it parses one (`new Function`,
// ~0.5 ms apiece on a cold start). The messages parsed thousands of times never reach zod
// (fast-validate.ts); the rest are parsed a few times per connection or task, where compiling
// costs more than it saves: a `farmhand render` pays it for every schema before Blender starts.
z.config({ jitless: true });
import { acceptedAsIs } from './fast-validate.js';
import { jsonDepthWithin, MAX_JSON_DEPTH } from './json-shape.js';
import { isSafeWorkspacePath } from './workspace-path.js';

/**
 * Every control message of the controller ↔ agent wire, defined once. Both ends parse what
 * they receive with `parseMessage`, so a malformed or unknown message is an error reply,
 * never a crash. Names are `noun.verb`.
 */

const id = z.string().min(1).max(128).regex(/^[A-Za-z0-9._:-]+$/, 'ids use letters, digits and . _ : -');
const sha256 = z.string().regex(/^[0-9a-f]{64}$/, 'a sha256 is 64 lowercase hex digits');
const attempt = z.number().int().min(1).max(1000);
const shortText = z.string().max(4096);

/** A file named by content; `name` is only a hint (an extension, a label) and is never a path. */
export const FileRefSchema = z.object({
  sha256,
  size: z.number().int().min(0),
  name: z.string().min(1).max(255),
});
export type FileRef = z.infer<typeof FileRefSchema>;

/** A GPU backend of Cycles. */
export const GpuBackendSchema = z.enum(['OPTIX', 'CUDA', 'HIP', 'ONEAPI', 'METAL']);
export type GpuBackend = z.infer<typeof GpuBackendSchema>;

/** A GPU Cycles sees through one Blender (the agent's device probe). */
export const GpuDeviceSchema = z.object({
  backend: GpuBackendSchema,
  /** Cycles' device id (`CUDA_NVIDIA GeForce RTX 3090_0000:01:00`): what `--gpus` and the device step select by. */
  id: z.string().min(1).max(256),
  name: z.string().min(1).max(256),
});
export type GpuDevice = z.infer<typeof GpuDeviceSchema>;

/** One Blender on an agent: where, which version (`blender --version`: "3.4.1"), and the GPUs Cycles sees through it. */
export const BlenderInstallSchema = z.object({
  path: z.string().max(4096),
  version: z.string().regex(/^\d{1,3}\.\d{1,3}(\.\d{1,3})?/).max(64),
  devices: z.array(GpuDeviceSchema).max(64),
});
export type BlenderInstall = z.infer<typeof BlenderInstallSchema>;

/** Where an agent renders a task that may use a GPU: `cpu`, or the backend its `--render-device` resolved to. */
export const RenderDeviceSchema = z.union([z.literal('cpu'), GpuBackendSchema]);
export type RenderDevice = z.infer<typeof RenderDeviceSchema>;

export const CapabilitiesSchema = z.object({
  blender: z.object({ path: z.string().max(4096), version: z.string().max(64) }).nullable(),
  ffmpeg: z.object({ path: z.string().max(4096), version: z.string().max(64) }).nullable(),
  cores: z.number().int().min(1).max(4096),
  memoryBytes: z.number().int().min(0),
  platform: z.string().max(64),
  /** Job types this agent will run (noop only when started with --allow-noop). */
  taskTypes: z.array(z.string().max(32)).max(32),
  /**
   * Task types whose tool is installed but still being started to confirm it runs (Blender's
   * `--version` on an agent's first start): not given yet; `agent.capabilities` follows.
   */
  checking: z.array(z.string().max(32)).max(32).optional(),
  /** Every Blender on this agent, probed (the first is `blender`); absent from an agent that probed one only. */
  blenders: z.array(BlenderInstallSchema).max(16).optional(),
  /** Where a render that may use a GPU runs here (`--render-device`, resolved); absent: cpu. */
  renderDevice: RenderDeviceSchema.optional(),
  /** Started with --allow-scripts: runs the scene's Python (drivers, registered text blocks) for jobs that trust it. */
  allowScripts: z.boolean().optional(),
});
export type Capabilities = z.infer<typeof CapabilitiesSchema>;

/** A path inside the job's workspace on the agent (workspace-path.ts): it cannot leave it. */
const workspacePath = z.string().refine(isSafeWorkspacePath, 'a workspace path is relative, uses /, and has no empty, . or .. segment');

/** A file the scene needs, placed at `path` in the job's workspace (from the input cache, by hash). */
export const WorkspaceFileSchema = z.object({
  path: workspacePath,
  sha256,
  size: z.number().int().min(0),
  /**
   * Blender may write this file while it renders (a point cache that is not baked): the agent
   * places a copy, never a hard link, so neither its input cache nor, on the controller's own
   * agent, the artist's file can change under its hash.
   */
  copy: z.literal(true).optional(),
});
export type WorkspaceFile = z.infer<typeof WorkspaceFileSchema>;

/**
 * An absolute path the scene names outside its own folder (`/mnt/tex`, `C:\\tex`, `\\\\nas\\share`), and
 * where its files are in the workspace: Blender's paths are rewritten at render time by a
 * command-line Python step, never by rewriting the .blend.
 */
export const PathMapSchema = z.object({ from: z.string().min(1).max(4096), to: workspacePath });
export type PathMap = z.infer<typeof PathMapSchema>;

/**
 * A job's workspace on an agent: where its scene sits and every other file it needs. Sent once
 * per connection and job (`job.workspace`, before the job's first `task.assign` there), not in
 * every task: a shot's list of thousands of files would otherwise travel, and be stored, once
 * per task. At most ~6 MiB as JSON, so it fits one control message (the compiler checks).
 */
export const JobWorkspaceSchema = z.object({
  /** The scene's place, under its own file name (`shot.blend`, `scenes/shot.blend`). */
  scenePath: workspacePath,
  /** Every other file the scene needs, at its place in the workspace (dependency manifest). */
  files: z.array(WorkspaceFileSchema).max(100_000),
  /** Absolute paths outside the scene's folder and where they are in the workspace. */
  pathMap: z.array(PathMapSchema).max(10_000),
});
export type JobWorkspace = z.infer<typeof JobWorkspaceSchema>;

export const BlenderTaskSpecSchema = z.object({
  type: z.literal('blender'),
  /** Frames to render, in order. Chunks are small (≤ 10,000 frames). */
  frames: z.array(z.number().int().min(0).max(1_048_574)).min(1).max(10_000),
  /** Base name of the output files: `<outputName>_####.<ext>`. */
  outputName: z.string().min(1).max(100).regex(/^[A-Za-z0-9._-]+$/),
  /** Blender `-F` image format, e.g. PNG, OPEN_EXR, JPEG. */
  format: z.enum(['PNG', 'JPEG', 'OPEN_EXR', 'OPEN_EXR_MULTILAYER', 'TIFF', 'BMP', 'TARGA']),
  engine: z.enum(['CYCLES', 'BLENDER_EEVEE', 'BLENDER_WORKBENCH']).optional(),
  threads: z.number().int().min(0).max(1024).optional(),
  /**
   * Where the scene (the task's first input) sits in the job's workspace, under its own file
   * name (`shot.blend`, `scenes/shot.blend`), so `//` paths and `blendcache_<name>` resolve as on
   * the artist's disk. Absent: the scene alone, as `scene.blend`.
   */
  scenePath: workspacePath.optional(),
  /**
   * The job's `job.workspace` (files and path map) applies: the agent must have received it on
   * this connection, and fails the attempt (retryably) when it has not, rather than render
   * without the files. Absent: the scene alone, at `scenePath`.
   */
  workspace: z.literal(true).optional(),
  /** Render even when Blender says a file or library is missing (a warning instead of a failed attempt). */
  allowMissing: z.boolean().optional(),
  /**
   * A stereo or multi-view scene that saves each view of a frame to its own file: the views'
   * file suffixes in the scene's order (`_L`, `_R` → `<name>_0001_L.png`, `<name>_0001_R.png`).
   * Absent: one file per frame (mono, or the views combined in one file).
   */
  viewSuffixes: z.array(z.string().regex(/^[A-Za-z0-9._-]{1,63}$/)).min(2).max(64)
    .refine((suffixes) => new Set(suffixes).size === suffixes.length, 'view suffixes are distinct').optional(),
  /**
   * Which of the agent's Blenders runs it (chooseBlender, blender-choice.ts): `atLeast` the
   * major.minor that saved the file, or `pin`ned to one (`--blender-version`). Absent: its first.
   */
  blender: z.object({
    atLeast: z.string().regex(/^\d{1,3}\.\d{1,3}$/).optional(),
    pin: z.string().regex(/^\d{1,3}\.\d{1,3}$/).optional(),
  }).optional(),
  /** `cpu`: on the CPU; `gpu`: on the agent's GPU (sent only to agents with one). Absent: the scene's own Cycles device. */
  device: z.enum(['cpu', 'gpu']).optional(),
  /** Run the scene's Python (`-y` instead of `--disable-autoexec`): sent only to agents started with --allow-scripts. */
  trustScripts: z.boolean().optional(),
  /**
   * One region of a tiled still (`--tiles`): the rectangle Blender renders, in pixels from the
   * frame's top-left corner, of a frame `frameWidth`×`frameHeight` (after the resolution
   * percentage). The agent sets a border render through its Python step and saves the whole
   * frame's size (outside the region is empty), so a `tiles-merge` task cuts the region out.
   */
  region: z.object({
    x: z.number().int().min(0).max(65_535),
    y: z.number().int().min(0).max(65_535),
    width: z.number().int().min(1).max(65_536),
    height: z.number().int().min(1).max(65_536),
    frameWidth: z.number().int().min(1).max(65_536),
    frameHeight: z.number().int().min(1).max(65_536),
  }).refine((r) => r.x + r.width <= r.frameWidth && r.y + r.height <= r.frameHeight, 'the region lies inside the frame').optional(),
});
export type BlenderTaskSpec = z.infer<typeof BlenderTaskSpecSchema>;

/** A task that does nothing but report: for benchmarks and tests, run only by agents started with --allow-noop. */
export const NoopTaskSpecSchema = z.object({
  type: z.literal('noop'),
  durationMs: z.number().int().min(0).max(3_600_000).optional(),
  outputBytes: z.number().int().min(0).max(4 * 1024 ** 3).optional(),
  failWith: z.string().max(1000).optional(),
  /** With failWith: fail as an unrecoverable error (tests the fail-the-job-at-once path). */
  unrecoverable: z.boolean().optional(),
  /** A line the task writes to its log (tests of log collection). */
  log: z.string().max(1000).optional(),
});
export type NoopTaskSpec = z.infer<typeof NoopTaskSpecSchema>;

/** A tool option from the wire is a plain word, never free text: nothing becomes an arbitrary ffmpeg argument. */
const toolWord = z.string().regex(/^[A-Za-z0-9_-]{1,32}$/, 'codec, preset and format names are plain words');
const fileStem = z.string().min(1).max(100).regex(/^[A-Za-z0-9][A-Za-z0-9._-]*$/);
const dimension = z.number().int().min(16).max(16_384);

export const VideoEncodeSchema = z.object({
  codec: toolWord,
  crf: z.number().min(0).max(63).optional(),
  preset: toolWord.optional(),
  scale: z.tuple([dimension, dimension]).optional(),
  pixelFormat: toolWord.optional(),
});
export type VideoEncode = z.infer<typeof VideoEncodeSchema>;

/** One span of a video, by frame index: video only, identical settings across chunks. */
export const TranscodeChunkSpecSchema = z.object({
  type: z.literal('transcode-chunk'),
  seekSeconds: z.number().min(0).max(1e7),
  /**
   * For inputs whose container cannot seek exactly (MPEG-TS, raw streams: a seek there can
   * land past its target): no seek; decode from the start and drop this many frames.
   */
  skipFrames: z.number().int().min(0).max(10_000_000).optional(),
  frameCount: z.number().int().min(1).max(10_000_000),
  video: VideoEncodeSchema,
  /** File name of the chunk, e.g. `chunk_0003.mkv`. */
  outputName: fileStem,
});

/** The whole audio, encoded once (per-chunk audio drifts at every seam). */
export const TranscodeAudioSpecSchema = z.object({
  type: z.literal('transcode-audio'),
  codec: toolWord,
  bitrate: z.string().regex(/^\d{1,5}k$/).optional(),
  outputName: fileStem,
});

/** Concatenate the chunks (inputs, in order, then the audio) by stream copy with exact durations. */
export const TranscodeJoinSpecSchema = z.object({
  type: z.literal('transcode-join'),
  chunkDurations: z.array(z.number().positive().max(1e7)).min(1).max(10_000),
  hasAudio: z.boolean(),
  outputName: fileStem,
  expectFrames: z.number().int().min(1),
  expectDurationSeconds: z.number().positive(),
});

/** Encode rendered frames (the inputs, in order) into a video at the scene's rate. */
export const FramesVideoSpecSchema = z.object({
  type: z.literal('frames-video'),
  fps: z.string().regex(/^\d{1,6}(\/\d{1,6})?$/),
  frameExt: z.enum(['png', 'jpg', 'exr', 'tif', 'bmp', 'tga']),
  frameCount: z.number().int().min(1).max(1_048_575),
  codec: toolWord.optional(),
  crf: z.number().min(0).max(63).optional(),
  outputName: fileStem,
});

/** A pixel rectangle from the top-left corner. */
const PixelRectSchema = z.object({
  x: z.number().int().min(0).max(65_535),
  y: z.number().int().min(0).max(65_535),
  width: z.number().int().min(1).max(65_536),
  height: z.number().int().min(1).max(65_536),
});

/**
 * Merges a tiled still: the inputs (in order) are full-size tile images, each holding its
 * region; `tiles[i]` is the rectangle cut from input i and put at the same place in the frame.
 * The rectangles tile the frame exactly (no gap, no overlap). PNG and single-layer EXR only.
 */
export const TilesMergeSpecSchema = z.object({
  type: z.literal('tiles-merge'),
  frameWidth: z.number().int().min(1).max(65_536),
  frameHeight: z.number().int().min(1).max(65_536),
  tiles: z.array(PixelRectSchema).min(2).max(64),
  frameExt: z.enum(['png', 'exr']),
  /** The frame's number (for the frame grid). */
  frame: z.number().int().min(-1_048_574).max(1_048_574),
  /** The frame's file name, `<name>_####.<ext>`. */
  outputName: fileStem,
});

export const TaskSpecSchema = z.discriminatedUnion('type', [
  BlenderTaskSpecSchema,
  NoopTaskSpecSchema,
  TranscodeChunkSpecSchema,
  TranscodeAudioSpecSchema,
  TranscodeJoinSpecSchema,
  FramesVideoSpecSchema,
  TilesMergeSpecSchema,
]);

export type TaskSpec = z.infer<typeof TaskSpecSchema>;
export type TaskType = TaskSpec['type'];

export const OutputRefSchema = FileRefSchema;
export type OutputRef = FileRef;

const taskKey = { taskId: id, attempt };

export const HeldTaskSchema = z.object({ ...taskKey, jobId: id, outputs: z.array(OutputRefSchema).max(10_000) });
export type HeldTask = z.infer<typeof HeldTaskSchema>;

const messageSchemas = [
  // Authentication is the channel's TLS handshake (tls-psk.ts): the first message is the agent's hello.
  // ── agent → controller ──
  z.object({
    type: z.literal('agent.hello'),
    agentId: id,
    name: z.string().min(1).max(255),
    hostname: z.string().max(255),
    slots: z.number().int().min(1).max(256),
    tags: z.array(z.string().max(64)).max(64),
    capabilities: CapabilitiesSchema,
    running: z.array(z.object({ ...taskKey, jobId: id })).max(1024),
    held: z.array(HeldTaskSchema).max(100_000),
  }),
  /** The tool check that was still running at the hello has finished: the agent's capabilities now. */
  z.object({ type: z.literal('agent.capabilities'), capabilities: CapabilitiesSchema }),
  z.object({ type: z.literal('input.request'), sha256 }),
  z.object({
    type: z.literal('task.progress'),
    ...taskKey,
    /** 0..1 for the whole task. */
    fraction: z.number().min(0).max(1),
    framesDone: z.number().int().min(0).optional(),
    currentFrame: z.number().int().optional(),
    message: z.string().max(500).optional(),
    /**
     * Blender's start-up on this attempt: process start → its first `Fra:` line (ms), once known.
     * The controller sizes chunks from it (chunk-plan/); an older controller drops the key.
     */
    startupMs: z.number().int().min(0).max(3_600_000).optional(),
  }),
  z.object({ type: z.literal('task.log'), ...taskKey, lines: z.array(z.string().max(2000)).max(500) }),
  z.object({
    type: z.literal('task.done'),
    ...taskKey,
    outputs: z.array(OutputRefSchema).max(10_000),
    elapsedMs: z.number().min(0),
    /** What the tool said was wrong but did not stop it (Blender: a modifier error, a driver error, a newer file): shown to the user. */
    warnings: z.array(z.string().max(1000)).max(100).optional(),
  }),
  z.object({
    type: z.literal('task.failed'),
    ...taskKey,
    error: shortText,
    /** True when retrying cannot help (a missing or corrupt scene): the job fails at once. */
    unrecoverable: z.boolean(),
    /**
     * Blender's line for a fault of the scene itself ("Cannot render, no camera":
     * node-agent/runners/scene-faults.ts), normalised. Absent for other failures. When the first
     * attempts on two agents report the same one, the controller pauses the job.
     */
    sceneFault: z.string().max(500).optional(),
  }),
  z.object({ type: z.literal('output.missing'), ...taskKey, reason: shortText }),

  // ── controller → agent ──
  z.object({
    type: z.literal('task.assign'),
    ...taskKey,
    jobId: id,
    inputs: z.array(FileRefSchema).max(50_000),
    spec: TaskSpecSchema,
    timeoutMs: z.number().int().min(1).max(7 * 24 * 3600 * 1000),
    /** The outputs are inputs of a later task: keep them in the input cache too (by hash). */
    keepOutputs: z.boolean().optional(),
    /**
     * Send each output as soon as it is finished (a rendered frame), while the task still runs:
     * `file.begin` with the task's key before `task.done`. Frames then appear as they render, and
     * only the last one is left to send after the task. The held copy is kept as always.
     */
    liveOutputs: z.boolean().optional(),
  }),
  z.object({ type: z.literal('task.cancel'), ...taskKey }),
  /** The files and layout of a job's workspace: once per connection, before the job's first `task.assign` that names it. */
  z.object({ type: z.literal('job.workspace'), jobId: id, workspace: JobWorkspaceSchema }),
  /**
   * The job ended here (done, failed, canceled or deleted): the agent forgets its workspace
   * list and removes the workspace as soon as none of its tasks runs. A requeued job is sent
   * its `job.workspace` again.
   */
  z.object({ type: z.literal('job.ended'), jobId: id }),
  z.object({
    type: z.literal('output.fetch'),
    ...taskKey,
    /** Only these outputs (the others arrived while the task ran); absent: all of them. */
    names: z.array(z.string().min(1).max(255)).min(1).max(10_000).optional(),
  }),
  z.object({ type: z.literal('output.ack'), ...taskKey }),
  z.object({ type: z.literal('input.missing'), sha256, reason: shortText }),
  /**
   * Inputs of a task this agent is expected to run next (a join, once its last chunk, running
   * here, is done): fetch the ones not cached (`input.request`, as for a task) while still busy.
   */
  z.object({ type: z.literal('input.prefetch'), inputs: z.array(FileRefSchema).min(1).max(50_000) }),

  // ── files, both directions: begin, binary chunks (see binary-frame.ts), end ──
  z.object({
    type: z.literal('file.begin'),
    streamId: z.number().int().min(1).max(0xffffffff),
    file: FileRefSchema,
    /** Which task the file belongs to (outputs) — absent for inputs, which are shared by hash. */
    task: z.object({ ...taskKey }).optional(),
  }),
  z.object({ type: z.literal('file.end'), streamId: z.number().int().min(1).max(0xffffffff) }),
  z.object({ type: z.literal('file.abort'), streamId: z.number().int().min(1).max(0xffffffff), reason: shortText }),

  // ── either side ──
  z.object({ type: z.literal('error'), code: z.enum(['invalid-message', 'unauthenticated', 'unsupported', 'internal']), message: shortText }),
] as const;

export const MessageSchema = z.discriminatedUnion('type', messageSchemas);
export type Message = z.infer<typeof MessageSchema>;
export type MessageType = Message['type'];
export type MessageOf<T extends MessageType> = Extract<Message, { type: T }>;

export type ParseResult = { ok: true; message: Message } | { ok: false; error: string };

/** Parses one text frame: size cap, nesting cap, JSON, schema (the hot messages through fast-validate.ts, never looser). Never throws. */
export function parseMessage(text: string, maxBytes: number): ParseResult {
  if (text.length > maxBytes) return { ok: false, error: `message of ${text.length} bytes exceeds the ${maxBytes}-byte limit` };
  if (!jsonDepthWithin(text)) return { ok: false, error: `message nests deeper than ${MAX_JSON_DEPTH} levels` };
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    return { ok: false, error: 'message is not valid JSON' };
  }
  if (acceptedAsIs(raw, parseSpecOrUndefined)) return { ok: true, message: raw as Message };
  const result = MessageSchema.safeParse(raw);
  if (result.success) return { ok: true, message: result.data };
  const type = messageTypeOf(raw);
  const issue = result.error.issues[0];
  const where = issue?.path.length ? ` at ${issue.path.join('.')}` : '';
  return { ok: false, error: `invalid "${type}" message${where}: ${issue?.message ?? 'does not match its schema'}` };
}

/** The `type` of a refused message, for its error: only ever a short string, whatever the peer sent. */
function messageTypeOf(raw: unknown): string {
  if (typeof raw !== 'object' || raw === null || !('type' in raw)) return '(none)';
  const type = (raw as { type: unknown }).type;
  return typeof type === 'string' ? type.slice(0, 64).replace(/[^\x20-\x7e]/g, '?') : `(a ${Array.isArray(type) ? 'list' : typeof type})`;
}

/** The schema's parse of a task spec, for the hot path's `task.assign` check. */
function parseSpecOrUndefined(spec: unknown): unknown {
  const result = TaskSpecSchema.safeParse(spec);
  return result.success ? result.data : undefined;
}

export function encodeMessage(message: Message): string {
  return JSON.stringify(message);
}
