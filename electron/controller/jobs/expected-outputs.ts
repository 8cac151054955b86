import type { BlenderTaskSpec, TaskSpec } from '../../../node-agent/protocol/index.js';
import { isSafeWorkspacePath } from '../../../node-agent/protocol/workspace-path.js';
import { isSafeOutputName, PASSES_FOLDER } from '../outputs/output-names.js';
import type { TaskRecord } from '../model/job-model.js';

/**
 * The output files a task must hand back, worked out on the controller from the task's own
 * spec. An agent's `task.done` and the files it sends are claims: a task succeeds only when
 * exactly these names arrived, hash-checked. An agent that reports fewer (a frame left out),
 * others (another task's frame, a path) or none at all is not believed.
 *
 * The names repeat, on purpose, what the agent's runners write (the controller may import no
 * runner code, only the wire contract):
 * - blender: `<outputName>_<frame padded to 4, sign in front>.<extension of the format>`, one
 *   per distinct frame (node-agent/runners/blender-argv.ts, `expectedOutputFiles`). Every
 *   Blender integration test renders through this check, so the two cannot drift apart unseen.
 *   A scene saving each stereo view to its own file (`viewSuffixes`) makes one per view instead,
 *   the suffix before the extension (`shot_0001_L.png`, `shot_0001_R.png`: Blender 3.4.1).
 * - transcode chunk, audio, join and frames-to-video: their `outputName` (ffmpeg-task.ts).
 * - noop: nothing, or with `outputBytes` one `<taskId with ':' as '_'>__<attempt>.bin` (the
 *   name of the attempt's work folder: noop-runner.ts, task-work-dir.ts).
 */

/** Blender's file extension for each `-F` format of the wire contract. */
const FRAME_EXTENSIONS: Record<BlenderTaskSpec['format'], string> = {
  PNG: 'png',
  JPEG: 'jpg',
  OPEN_EXR: 'exr',
  OPEN_EXR_MULTILAYER: 'exr',
  TIFF: 'tif',
  BMP: 'bmp',
  TARGA: 'tga',
};

type TaskKey = Pick<TaskRecord, 'id' | 'attempt' | 'spec'>;

/**
 * A spec's names never change, so they are worked out once per spec object: a render's live
 * frames are each checked against a chunk that may hold thousands. Noop names depend on the
 * attempt and are one at most, so they are not kept.
 */
const bySpec = new WeakMap<TaskSpec, ReadonlySet<string>>();

/** Every output name the task's current attempt must deliver. */
export function expectedOutputs(task: TaskKey): ReadonlySet<string> {
  const spec = task.spec;
  if (spec.type === 'noop') return new Set(spec.outputBytes ? [`${task.id.replace(/:/g, '_')}__${task.attempt}.bin`] : []);
  let names = bySpec.get(spec);
  if (!names) {
    names = new Set([...primaryOutputs(spec), ...declaredExtras(spec)]);
    bySpec.set(spec, names);
  }
  return names;
}

/** `scene`, PNG, 7 → `scene_0007.png`; -2 → `scene_-0002.png` (Blender's `####`). */
export function frameFileName(outputName: string, format: BlenderTaskSpec['format'], frame: number): string {
  const padded = `${frame < 0 ? '-' : ''}${String(Math.abs(frame)).padStart(4, '0')}`;
  return `${outputName}_${padded}.${FRAME_EXTENSIONS[format]}`;
}

/**
 * The files of one frame of a render: `shot_0001.png`, or one per view (`shot_0001_L.png`,
 * `shot_0001_R.png`) in the scene's order of views. The first is the frame's face: its
 * thumbnail, and the file a video is made from.
 */
export function frameFiles(spec: BlenderTaskSpec, frame: number): string[] {
  const name = frameFileName(spec.outputName, spec.format, frame);
  if (!spec.viewSuffixes) return [name];
  const dot = name.lastIndexOf('.');
  return spec.viewSuffixes.map((suffix) => `${name.slice(0, dot)}${suffix}${name.slice(dot)}`);
}

/**
 * The frames of a render task whose every file was collected, each with its first file (a
 * stereo frame counts once, when all its views came back), in the task's frame order.
 */
export function collectedFrames(spec: BlenderTaskSpec, collected: readonly string[]): { frame: number; file: string }[] {
  const have = new Set(collected);
  const frames: { frame: number; file: string }[] = [];
  for (const frame of new Set(spec.frames)) {
    const files = frameFiles(spec, frame);
    if (files.every((f) => have.has(f))) frames.push({ frame, file: files[0]! });
  }
  return frames;
}

/** At most this many File Output passes per task (the wire bounds a report to 10,000 files in all). */
export const MAX_RENDER_PASSES = 10_000;

/**
 * Whether `name` may come back from a render besides its frames: a compositor File Output
 * pass, which the agent's Python step points at `passes/` in the task's output folder
 * (node-agent/runners/blender-python-step.ts) and which keeps the node's own layout below it.
 * Which passes a scene makes is up to its node tree, so they are not named in advance; they
 * are held to the folder, to safe relative names and to a count, and hash-checked like frames.
 */
export function isRenderPass(spec: TaskSpec, name: string): boolean {
  return spec.type === 'blender' && name.startsWith(`${PASSES_FOLDER}/`) && isSafeWorkspacePath(name) && isSafeOutputName(name);
}

/**
 * The outputs of a finished task that a later task takes as inputs (a render's frames into its
 * video): its main outputs only, never its File Output passes, which are for the user; of a
 * scene saving each stereo view to its own file, the first view's (the video is one view, and
 * the job says so: blender/view-files.ts).
 */
export function chainedOutputs<T extends { name: string }>(task: { spec: TaskSpec; outputs: readonly T[] }): T[] {
  const spec = task.spec;
  if (spec.type === 'blender' && spec.viewSuffixes) {
    const faces = new Set(spec.frames.map((frame) => frameFiles(spec, frame)[0]!));
    return task.outputs.filter((o) => faces.has(o.name));
  }
  return task.outputs.filter((o) => !isRenderPass(task.spec, o.name));
}

/** What the claim lacks and what it adds, against the expected names (duplicates count as added). */
export interface OutputMismatch {
  missing: string[];
  unexpected: string[];
}

/** How the names an agent reported differ from the task's; null when they are exactly the expected set. */
export function compareOutputs(task: TaskKey, reported: readonly { name: string }[]): OutputMismatch | null {
  const expected = expectedOutputs(task);
  const seen = new Set<string>();
  const unexpected: string[] = [];
  let extras = 0;
  let found = 0;
  for (const { name } of reported) {
    if (seen.has(name)) unexpected.push(name);
    else if (expected.has(name)) found++;
    else if (!isRenderPass(task.spec, name) || ++extras > MAX_RENDER_PASSES) unexpected.push(name);
    seen.add(name);
  }
  if (unexpected.length === 0 && found === expected.size) return null;
  const missing = [...expected].filter((name) => !seen.has(name));
  return { missing, unexpected };
}

function primaryOutputs(spec: Exclude<TaskSpec, { type: 'noop' }>): string[] {
  switch (spec.type) {
    case 'blender':
      return spec.frames.flatMap((frame) => frameFiles(spec, frame));
    case 'transcode-chunk':
    case 'transcode-audio':
    case 'transcode-join':
    case 'frames-video':
    case 'tiles-merge':
      return [spec.outputName];
    default: {
      const never: never = spec;
      throw new Error(`no expected outputs for task type ${JSON.stringify((never as { type: string }).type)}`);
    }
  }
}

/**
 * Files a task declares beyond its main outputs, which must arrive as well. None today: a
 * render's File Output passes depend on its node tree, so they are judged by isRenderPass
 * (allowed, not required) rather than named here.
 */
function declaredExtras(_spec: Exclude<TaskSpec, { type: 'noop' }>): string[] {
  return [];
}
