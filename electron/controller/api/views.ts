/**
 * The views the API shows: the plain, serialisable shapes of an agent, a job, a task and a
 * scene that results and events carry. They live beside the contract and import nothing, so
 * a client (the renderer, the CLI) reads the contract without reaching the controller's
 * internals; the internals import these (as Flamenco's pkg/api and Heroic's common/types do).
 */

export type TaskState = 'queued' | 'assigned' | 'running' | 'succeeded' | 'failed' | 'canceled';
export type JobState = 'queued' | 'running' | 'paused' | 'succeeded' | 'failed' | 'canceled';
export type JobType = 'blender' | 'transcode' | 'noop';

/** A plain, serialisable view of an agent for the CLI and the UI. */
export interface AgentView {
  agentId: string;
  name: string;
  hostname: string;
  url: string;
  online: boolean;
  enabled: boolean;
  slots: number;
  busySlots: number;
  tags: string[];
  taskTypes: string[];
  /** Task types whose tool the agent is still checking (a first start): given once confirmed. */
  checking: string[];
  blender: string | null;
  ffmpeg: string | null;
  cores: number;
  /** Every Blender the agent has, with the GPUs Cycles sees through it. */
  blenders?: { version: string; devices: { backend: string; name: string }[] }[];
  /** Where a render that may use a GPU runs there: `cpu` or a backend (`OPTIX`). */
  renderDevice?: string;
  /** Started with --allow-scripts. */
  allowScripts?: boolean;
}

/** The small per-job summary kept in the store's index, so listing jobs never loads every task. */
export interface JobSummary {
  id: string;
  name: string;
  type: JobType;
  priority: number;
  createdAt: number;
  state: JobState;
  taskCount: number;
  succeededCount: number;
  failedCount: number;
  runningCount: number;
  failure: string | null;
  /**
   * Why the controller itself paused the job (a full disk: "the output disk /path is full (N MB
   * free); the job resumes when there is room"); it resumes the job by itself. Absent otherwise,
   * also under the user's own pause. Not kept across restarts: the condition is found again.
   * Also (`pauseCause: 'fail-fast'`) the error two agents' first attempts failed with alike ("Blender
   * cannot render "shot.blend": no camera is set for the scene; add a camera…"): that pause is
   * kept across restarts and lasts until the user resumes the job, which retries it.
   */
  pauseReason?: string;
  /** Which pause `pauseReason` tells of: `disk-full` (lifts by itself) or `fail-fast` (waits for the user's resume); absent without one. */
  pauseCause?: 'disk-full' | 'fail-fast';
  /**
   * Why none of the job's queued work can start now (no agent connected, none with the Blender
   * the file needs, a GPU, or --allow-scripts): "no agent has Blender ≥ 4.1 for shot.blend (saved
   * by 4.1)." Absent while its work can start, and once it has none queued.
   */
  waitingReason?: string;
  /**
   * How a render's frames are split into chunks, one sentence: "3 chunks of up to 16 frames,
   * sized from measured 0.5 s/frame (re-planned 2 times)." or "4 chunks of 12 frames (--chunk 12)."
   * (jobs/chunk-plan/). Absent for other job types.
   */
  chunkPlan?: string;
  /** What the user should know about the whole job from its submit (files missing, submitted with --allow-missing). */
  warnings?: string[];
  /** Distinct warnings across the job's tasks (a modifier error, a driver error, a file allowed to be missing); absent when none. */
  warningCount?: number;
  /** The first task warning, in task order; absent when none. */
  firstWarning?: string;
  /** The job's agent tags (searchable in the jobs list); absent when none. */
  tags?: string[];
  /** Where its results go: the output folder, or a transcode's output file. */
  output?: string;
  /** A render's frame list as submitted ("1-250", "1,5,10-20"); absent when the scene's own range was used, and for other job types. */
  frames?: string;
  /** Frames the job makes (a render's frames, a transcode's video frames); absent for jobs without frames. */
  frameCount?: number;
}

/** A task as clients see it (no input lists or specs: those can be large and are the controller's business). */
export interface TaskView {
  id: string;
  jobId: string;
  index: number;
  label: string;
  type: string;
  state: TaskState;
  attempt: number;
  failures: number;
  agentId: string | null;
  progress: number;
  /** Files collected into the job's output folder, by name relative to it: frames, and a render's File Output passes (`passes/fg_0001.png`). */
  outputs: string[];
  error: string | null;
  /** A preview-first job's single-frame preview task (rendered before the rest); absent otherwise. */
  preview?: true;
  /** What the tool warned about while rendering this task (Blender's modifier, driver, missing-file lines); absent when none. */
  warnings?: string[];
  startedAt: number | null;
  endedAt: number | null;
  /**
   * A chunk of several frames: the render time of each frame its current attempt finished, in ms,
   * in render order, as the controller measured it from the agent's progress (the first includes
   * the renderer's start-up; frames ending within one 250 ms report share it). Absent for a
   * one-frame task (startedAt–endedAt is its frame's time) and before its first frame ends.
   */
  frameTimesMs?: number[];
  /** Bytes of the files the attempt made (as its agent reported them when done): a transcode's output size. Absent before. */
  outputBytes?: number;
  /**
   * The agent of the latest attempt, kept after it ended (`agentId` is null once a task is off its
   * agent), so a failed task still names where it failed. Absent before the first attempt.
   */
  lastAgent?: { agentId: string; name: string };
}

/** How one attempt of a task ended; `running` while it is out on its agent. */
export type AttemptOutcome = 'running' | 'succeeded' | 'failed' | 'requeued' | 'canceled';

/** One attempt of a task: which agent ran it, from when to when, and how it ended (tasks.log's `history`). */
export interface TaskAttemptView {
  attempt: number;
  agentId: string;
  /** The agent's name when it ran the attempt (the agent may be gone since). */
  agentName: string;
  startedAt: number;
  endedAt: number | null;
  outcome: AttemptOutcome;
  /** Why a failed attempt failed. */
  error?: string;
}

/** A scene's own settings as Blender reads them (jobs/blender/scene-probe.ts), before a job is compiled. */
export interface SceneInfo {
  frameStart: number;
  frameEnd: number;
  frameStep: number;
  /** Frames per second: `render.fps / render.fps_base` (29.97 for NTSC). */
  fps: number;
  /** Output size in pixels after `resolution_percentage`, as Blender computes it. */
  resolution: [number, number];
  engine: string;
  fileFormat: string;
  /** The scene's output path, made absolute by Blender (`//` is relative to the .blend). */
  outputPath: string;
  camera: string | null;
  /** Every scene in the file; the others are the active scene's siblings. */
  scenes: string[];
  /**
   * Stereo or multi-view saved as one file per view (the output's Views Format "Individual",
   * two views or more rendered): the views in the scene's order, each frame's files being
   * `<name>_0001<suffix>.<ext>`. Absent when each frame is one file.
   */
  viewFiles?: { name: string; suffix: string }[];
  /** Which Blender saved the file (its header, `4.1`) and the oldest that can open it (FileGlobal's minversion); absent when unknown. */
  fileVersion?: { saved: string; minimum: string | null };
  /** The active scene's Cycles device setting (`CPU` or `GPU`); absent for other engines or when unknown. */
  cyclesDevice?: 'CPU' | 'GPU';
  /** Python the scene runs only when trusted: registered text blocks and driver expressions Blender's simple evaluator does not handle. */
  scripts?: { modules: string[]; drivers: string[] };
  /** Simulations that are not baked: a chunk that starts mid-range starts them there. */
  simulations?: { kind: SimulationKind; owner: string }[];
}

/** What kind of simulation the reader found unbaked. */
export type SimulationKind = 'cloth' | 'soft-body' | 'fluid' | 'rigid-body' | 'particles' | 'dynamic-paint' | 'geometry-nodes';

/** What kind of file a scene names (the dependency manifest, issue 16). */
export type DependencyKind =
  | 'image'
  | 'image-sequence'
  | 'udim'
  | 'library'
  | 'sound'
  | 'movie-clip'
  | 'font'
  | 'cache-file'
  | 'volume'
  | 'mesh-cache'
  | 'point-cache'
  | 'bake'
  | 'text'
  | 'script'
  | 'ies';

/** One external file a scene needs. */
export interface DependencyEntry {
  /** The path as the scene (or the library that names it) wrote it: `//textures/wood.png`, `C:\tex\wood.png`. */
  written: string;
  /** The absolute path on the controller's machine it resolves to. */
  resolved: string;
  kind: DependencyKind;
  /** Which .blend names it: the scene's own path, or a linked library's. */
  from: string;
  /** null when missing. */
  size: number | null;
  /** null when missing. */
  sha256: string | null;
  missing: boolean;
  /**
   * Blender may write this file while it renders: a file of a disk point cache that is not
   * baked (Blender 3.4.1 measured: a render deletes and rewrites such cache files, and `-f N`
   * deletes those after the frame; a baked cache's files are left untouched). Blender's cache
   * writer opens a file by name for writing, so it goes to the agent's workspace as a copy,
   * never a hard link that such a write could go through. Absent: read only.
   */
  writable?: true;
}

/** Every external file a scene needs, read at submit (no Blender needed). Packed data needs nothing and is not listed. */
export interface DependencyManifest {
  entries: DependencyEntry[];
  /** Bytes of the files present. */
  totalBytes: number;
  /** How many entries are missing (listed first). */
  missingCount: number;
  /** Who listed the paths: the controller's own .blend reader, or its Blender when the reader could not. */
  listedBy: 'reader' | 'blender';
  /**
   * Linked libraries whose every named file is listed, because the reader could not tell which
   * of them the shot's linked data uses (otherwise only those are); absent when none.
   */
  wholeLibraries?: { path: string; reason: string }[];
}
