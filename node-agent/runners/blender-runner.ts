import { mkdir, rm, stat } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import { buildBlenderArgv, expectedOutputFiles } from './blender-argv.js';
import { buildPythonStep, fileOutputSnippet, type PythonSnippet } from './blender-python-step.js';
import { deviceSnippet, type DeviceStepOptions } from './device-step.js';
import { borderSnippet, type Region } from './border-step.js';
import { findExtraOutputs, MAX_TASK_OUTPUTS, TooManyOutputsError } from './extra-outputs.js';
import { createBlenderProgressParser, type ProgressUpdate } from './blender-progress.js';
import { parseRenderLayout, renderLayoutSnippet, viewFileNames, type RenderLayout } from './render-layout.js';
import { missingLayerImage, multilayerProblem, viewsMismatch } from './render-layout-check.js';
import { createBlenderWarningCollector, isMissingWarning, missingFilesSentence, WARNING_SNIPPETS } from './blender-warnings.js';
import { closeOrStopOnAbort, forEachLine, spawnProcessGroup, waitForClose } from './process-tree.js';
import { sceneFault } from './scene-faults.js';
import { TaskCanceledError, TaskFailedError } from './task-errors.js';

/**
 * Renders one chunk of frames with one Blender process. Blender's exit code is not trusted
 * (it is 0 for a bad `-F`, an empty frame range or a Python error, 1 for an unwritable output):
 * a task succeeded only when every expected file exists, is non-empty, and Blender printed no
 * `Error:` line. A scene Blender cannot read, or an engine it does not have, fails the job at
 * once (unrecoverable); anything else (a crash, a signal, a missing frame) may be retried.
 */

export interface BlenderRunSpec {
  frames: number[];
  outputName: string;
  format: string;
  engine?: string;
  threads?: number;
  /** Render even when the scene names files that are not there: they become warnings instead of failing the attempt. */
  allowMissing?: boolean;
  /** A scene saving each stereo view to its own file: the views' suffixes (`shot_0001_L.png`). */
  viewSuffixes?: string[];
  /** A tiled still's region (border-step.ts): rendered alone, saved at the frame's full size. */
  region?: Region;
}

export interface BlenderRunOptions {
  blenderPath: string;
  scenePath: string;
  /** The scene's name for messages (defaults to the scene file's own name). */
  sceneName?: string;
  /** Python snippets run after the scene loads and before the render (path mapping, output redirection). */
  pythonSnippets?: PythonSnippet[];
  /** The render device (device-step.ts): absent, the scene's own setting under factory preferences (the CPU). */
  device?: DeviceStepOptions;
  /** Where the frames are written; the caller owns and removes it. */
  workDir: string;
  spec: BlenderRunSpec;
  /** HOME for Blender, so it writes no config or cache into the real home. */
  scratchHome: string;
  /** Run the scene's Python (`-y`): the job trusts its scripts and the agent allows them (blender-for-task.ts). */
  runScripts?: boolean;
  signal: AbortSignal;
  onProgress(u: ProgressUpdate): void;
  onLog(line: string): void;
  /** An expected frame is written (Blender printed `Saved:` for it): it may be sent on before the task ends. */
  onOutput?(path: string): void;
}

/** What a render made, and what Blender said was wrong with it (blender-warnings.ts). */
export interface BlenderRunResult {
  outputs: string[];
  warnings: string[];
}

/** SIGTERM stops Blender at once (measured); SIGKILL only if it has not gone after this long. */
const KILL_GRACE_MS = 5000;

export async function runBlenderTask(o: BlenderRunOptions): Promise<BlenderRunResult> {
  const sceneName = o.sceneName ?? basename(o.scenePath);
  let argv: string[];
  let frameNames: string[];
  let expected: string[];
  try {
    const layoutStep = renderLayoutSnippet({ outputDir: resolve(o.workDir), outputName: o.spec.outputName, format: o.spec.format });
    argv = buildBlenderArgv({ ...o.spec, scenePath: o.scenePath, outputDir: o.workDir, runScripts: o.runScripts === true, pythonExpr: buildPythonStep([...(o.pythonSnippets ?? []), ...(o.device ? [deviceSnippet(o.device)] : []), ...(o.spec.region ? [borderSnippet(o.spec.region)] : []), fileOutputSnippet(resolve(o.workDir)), layoutStep, ...WARNING_SNIPPETS]) });
    frameNames = expectedOutputFiles(o.spec);
    // One file per frame, or per view and frame (`shot_0001_L.png`, `shot_0001_R.png`).
    expected = frameNames.flatMap((name) => viewFileNames(name, o.spec.viewSuffixes)).map((name) => join(o.workDir, name));
  } catch (error) {
    throw new TaskFailedError((error as Error).message, { unrecoverable: true });
  }
  // Side by side: each is a round trip to the file system, and Blender waits for all of them.
  const [sceneThere] = await Promise.all([
    isFile(o.scenePath),
    mkdir(o.workDir, { recursive: true }).then(() => Promise.all(expected.map((path) => rm(path, { force: true })))), // a file left by an earlier run must not pass for this run's output
    mkdir(join(o.scratchHome, '.cache'), { recursive: true }),
  ]);
  if (!sceneThere) {
    throw new TaskFailedError(`Blender could not read the scene "${sceneName}": the file does not exist on this agent.`, { unrecoverable: true });
  }
  if (o.signal.aborted) throw new TaskCanceledError('The Blender render was stopped before it started.');

  const expectedSet = new Set(expected);
  const parser = createBlenderProgressParser(o.spec.frames.length, o.onOutput && ((saved) => {
    const path = resolve(o.workDir, saved);
    if (expectedSet.has(path)) o.onOutput!(path);
  }));
  let lastFraction = 0;
  const warnings = createBlenderWarningCollector(dirname(resolve(o.scenePath)));
  // A missing file makes every frame wrong: stop Blender at the first one (the report runs
  // before the render starts) rather than render frames that fail anyway.
  const stopForMissing = new AbortController();
  let layout: RenderLayout | null = null;
  // Blender's start-up, process start → first `Fra:` line: the cost of one more chunk, which the
  // controller's chunk planner weighs against the frames (sent with every report once known).
  const spawnedAt = performance.now();
  let startupMs: number | undefined;
  const child = spawnProcessGroup(o.blenderPath, argv, {
    cwd: o.workDir,
    env: { ...process.env, HOME: o.scratchHome, XDG_CACHE_HOME: join(o.scratchHome, '.cache') },
  });
  const closed = waitForClose(child);
  const onLine = (line: string) => {
    if (line.trim() === '') return;
    o.onLog(line);
    layout = parseRenderLayout(line) ?? layout;
    const warning = warnings.feed(line);
    if (warning && !o.spec.allowMissing && isMissingWarning(warning)) stopForMissing.abort();
    if (startupMs === undefined && line.startsWith('Fra:')) startupMs = Math.round(performance.now() - spawnedAt);
    const update = parser.feed(line);
    if (update) {
      lastFraction = update.fraction;
      o.onProgress(startupMs === undefined ? update : { ...update, startupMs });
    }
  };
  if (child.stdout) forEachLine(child.stdout, onLine);
  if (child.stderr) forEachLine(child.stderr, onLine);

  const exit = await closeOrStopOnAbort(child, closed, AbortSignal.any([o.signal, stopForMissing.signal]), KILL_GRACE_MS);

  if (o.signal.aborted) throw new TaskCanceledError('The Blender render was stopped.');
  if (exit.error) {
    throw new TaskFailedError(`Blender at ${o.blenderPath} could not be started (${exit.error.message}); check the agent's --blender path.`);
  }
  const missingInputs = warnings.all().filter(isMissingWarning);
  if (missingInputs.length > 0 && !o.spec.allowMissing) {
    // Recoverable: the workspace is this agent's, and a path outside it (a mount) may be
    // there on another agent; the retry bound and the early stop keep the cost to a scene load.
    throw new TaskFailedError(missingFilesSentence(sceneName, missingInputs));
  }
  const savedWrong = await savedButWrong(parser.savedPaths().map((saved) => resolve(o.workDir, saved)));
  if (savedWrong) throw new TaskFailedError(savedWrong);
  const reported = layout as RenderLayout | null; // set by the line handler
  const wrongViews = reported && viewsMismatch(reported, o.spec.viewSuffixes);
  if (wrongViews) throw new TaskFailedError(wrongViews, { unrecoverable: true });
  const present = await Promise.all(expected.map(isNonEmptyFile));
  const missing = expected.filter((_, i) => !present[i]).map((path) => basename(path));
  const errors = parser.errors();
  if (missing.length === 0 && errors.length === 0) {
    const layoutProblem = reported && (await missingLayerImage({ layout: reported, workDir: o.workDir, frameNames })
      ?? (o.spec.format === 'OPEN_EXR_MULTILAYER' ? await multilayerProblem(reported, expected) : null));
    if (layoutProblem) throw new TaskFailedError(layoutProblem);
    const extra = await findExtraOutputs(join(o.workDir), expectedSet, MAX_TASK_OUTPUTS - expected.length).catch((error: unknown) => {
      throw error instanceof TooManyOutputsError ? new TaskFailedError(error.message, { unrecoverable: true }) : error;
    });
    for (const name of extra.skipped.slice(0, 5)) o.onLog(`farmhand: ${name} was not collected: its name is not a safe relative path of at most 255 characters`);
    if (lastFraction < 1) o.onProgress({ fraction: 1, framesDone: o.spec.frames.length, message: 'Done', ...(startupMs === undefined ? {} : { startupMs }) });
    return { outputs: [...expected, ...extra.paths], warnings: warnings.texts() };
  }
  throw failure({ scenePath: resolve(o.scenePath), sceneName, errors, missing, rendered: expected.length - missing.length, total: expected.length, exit });
}

/** Blender's reports for a scene it cannot load; they name the file, which tells them from a missing texture or library. */
const SCENE_UNREADABLE = /^(Cannot read file|File format is not supported|Failed to read blend file)/;

/** One sentence naming what went wrong; unrecoverable only when retrying cannot help. */
function failure(f: {
  scenePath: string;
  sceneName: string;
  errors: string[];
  missing: string[];
  rendered: number;
  total: number;
  exit: { code: number | null; signal: NodeJS.Signals | null };
}): TaskFailedError {
  const unreadable = f.errors.find((e) => SCENE_UNREADABLE.test(e) && e.includes(f.scenePath));
  if (unreadable) {
    return new TaskFailedError(`Blender could not read the scene "${f.sceneName}": ${reasonOf(unreadable)}.`, { unrecoverable: true });
  }
  const engine = f.errors.map((e) => /^engine not found '(.*)'/.exec(e)).find((m) => m);
  if (engine) {
    return new TaskFailedError(
      `Blender on this agent has no render engine "${engine[1]}"; choose CYCLES, BLENDER_EEVEE or BLENDER_WORKBENCH.`,
      { unrecoverable: true },
    );
  }
  // A fault of the scene itself (no camera…): said with its fix, and named so the controller can stop retrying it across the farm.
  const fault = sceneFault(f.errors, f.sceneName);
  if (fault) return new TaskFailedError(fault.sentence, { unrecoverable: false, sceneFault: fault.fault });
  const how = f.exit.signal ? `was killed by ${f.exit.signal}` : `exited with code ${f.exit.code}`;
  const missing = f.missing.length === 0 ? ''
    : `; missing ${f.missing.slice(0, 5).join(', ')}${f.missing.length > 5 ? ` and ${f.missing.length - 5} more` : ''}`;
  const lastError = f.errors.length ? `; last error: ${f.errors[f.errors.length - 1]}` : '';
  return new TaskFailedError(`Blender ${how} after rendering ${f.rendered} of ${f.total} frames${missing}${lastError}`);
}

/** `Failed to read blend file '/x/y.blend': Missing DNA block` → `Missing DNA block`; the path is named elsewhere. */
function reasonOf(error: string): string {
  const afterPath = /'[^']*':\s*(.+)$/.exec(error);
  if (afterPath) return afterPath[1]!.replace(/\.$/, '');
  return error.replace(/\s+in file '[^']*'/, '').replace(/\.$/, '');
}

/** A file Blender printed `Saved:` for but that is not there or is empty (a full or failing disk): the sentence, or null. */
async function savedButWrong(paths: readonly string[]): Promise<string | null> {
  for (const path of new Set(paths)) {
    const size = await stat(path).then((s) => (s.isFile() ? s.size : -1), () => -1);
    if (size > 0) continue;
    const what = size === 0 ? 'the file is empty (0 bytes)' : 'the file is not there';
    return `Blender reported ${basename(path)} as saved, but ${what}; check the agent's free disk space, the frame is rendered again.`;
  }
  return null;
}

async function isFile(path: string): Promise<boolean> {
  return stat(path).then((s) => s.isFile(), () => false);
}

async function isNonEmptyFile(path: string): Promise<boolean> {
  return stat(path).then((s) => s.isFile() && s.size > 0, () => false);
}
