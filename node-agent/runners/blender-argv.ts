import { resolve } from 'node:path';

/**
 * The Blender command line for one render task, as pure data so it can be tested without a
 * process. Blender runs its arguments in order, so `-E -o -F -x -t -s -e -j` come before the
 * `-a`/`-f` that renders. Facts measured with Blender 3.4.1 that shape it:
 * - `-a` uses the scene's own frame step unless `-j` is given, so `-j` is always passed.
 * - A negative number is relative in `-s`, `-e` (current value minus n) and `-f` (from the
 *   end), so an absolute negative frame is written `-s 0 -s -3`; lists holding negative frames
 *   become one `-s/-e/-j 1/-a` group per run instead of `-f`.
 * - `-F` calls Targa `TGA`; `-F TARGA` prints an error and renders in the scene's format.
 * - `-x 1` forces the file extension, which a scene may have switched off.
 * - `_####` becomes `_0007`, `_-0002`, `_12345`.
 */

export interface BlenderArgvOptions {
  scenePath: string;
  outputDir: string;
  outputName: string;
  format: string;
  frames: number[];
  engine?: string;
  threads?: number;
  /** Python run after the scene loads and before the render (blender-python-step.ts). */
  pythonExpr?: string | null;
  /** Run the scene's own Python (`-y`: drivers, registered text blocks): a trusting job on an --allow-scripts agent only. */
  runScripts?: boolean;
}

/** Protocol format name → [Blender's `-F` name, file extension Blender writes]. */
const FORMATS: Record<string, readonly [string, string]> = {
  PNG: ['PNG', 'png'],
  JPEG: ['JPEG', 'jpg'],
  OPEN_EXR: ['OPEN_EXR', 'exr'],
  OPEN_EXR_MULTILAYER: ['OPEN_EXR_MULTILAYER', 'exr'],
  TIFF: ['TIFF', 'tif'],
  BMP: ['BMP', 'bmp'],
  TARGA: ['TGA', 'tga'],
};

/** The argv after the binary, e.g. `-b /abs/s.blend -noaudio … -s 1 -e 4 -j 1 -a`. */
export function buildBlenderArgv(o: BlenderArgvOptions): string[] {
  const [blenderFormat] = formatOf(o.format);
  checkFrames(o.frames);
  return [
    '-b', resolve(o.scenePath),
    '-noaudio', '--factory-startup', o.runScripts ? '-y' : '--disable-autoexec',
    ...(o.pythonExpr ? ['--python-expr', o.pythonExpr] : []),
    ...(o.engine ? ['-E', o.engine] : []),
    '-o', `${resolve(o.outputDir)}/${o.outputName}_####`,
    '-F', blenderFormat,
    '-x', '1',
    ...(o.threads !== undefined ? ['-t', String(o.threads)] : []),
    ...frameArgs(o.frames),
  ];
}

/** The file names Blender writes for these frames, in frame order, each once. */
export function expectedOutputFiles(o: Pick<BlenderArgvOptions, 'outputName' | 'format' | 'frames'>): string[] {
  const [, extension] = formatOf(o.format);
  checkFrames(o.frames);
  return [...new Set(o.frames)].map((frame) => `${o.outputName}_${padFrame(frame)}.${extension}`);
}

/** Blender's `####`: four digits at least, the sign in front (`-0002`). */
export function padFrame(frame: number): string {
  return `${frame < 0 ? '-' : ''}${String(Math.abs(frame)).padStart(4, '0')}`;
}

/** `[3,5,6,7,47]` → `3,5..7,47`: Blender's `-f` list syntax, ascending runs shortened. */
export function blenderFrameList(frames: readonly number[]): string {
  return runsOf(frames).map(([a, b]) => (a === b ? String(a) : `${a}..${b}`)).join(',');
}

function frameArgs(frames: readonly number[]): string[] {
  const step = arithmeticStep(frames);
  if (step !== null) return renderRange(frames[0]!, frames[frames.length - 1]!, step);
  if (frames.every((f) => f >= 0)) return ['-f', blenderFrameList(frames)];
  return runsOf(frames).flatMap(([a, b]) => renderRange(a, b, 1));
}

function renderRange(start: number, end: number, step: number): string[] {
  return [...setFrame('-s', start), ...setFrame('-e', end), '-j', String(step), '-a'];
}

/** `-s -3` means "3 before the current start", so a negative frame is set from 0. */
function setFrame(flag: '-s' | '-e', frame: number): string[] {
  return frame >= 0 ? [flag, String(frame)] : [flag, '0', flag, String(frame)];
}

/** The step k ≥ 1 when frames ascend by a constant k (one frame counts, with step 1); else null. */
function arithmeticStep(frames: readonly number[]): number | null {
  if (frames.length === 1) return 1;
  const step = frames[1]! - frames[0]!;
  if (step < 1) return null;
  for (let i = 2; i < frames.length; i++) if (frames[i]! - frames[i - 1]! !== step) return null;
  return step;
}

/** Maximal runs of consecutive ascending frames, as [first, last]. */
function runsOf(frames: readonly number[]): [number, number][] {
  const runs: [number, number][] = [];
  for (const frame of frames) {
    const last = runs[runs.length - 1];
    if (last && frame === last[1] + 1) last[1] = frame;
    else runs.push([frame, frame]);
  }
  return runs;
}

function formatOf(format: string): readonly [string, string] {
  const known = FORMATS[format];
  if (!known) throw new Error(`The output format "${format}" is not supported; use one of ${Object.keys(FORMATS).join(', ')}.`);
  return known;
}

function checkFrames(frames: readonly number[]): void {
  if (frames.length === 0) throw new Error('A Blender task needs at least one frame; give it a frame list.');
  const bad = frames.find((f) => !Number.isSafeInteger(f));
  if (bad !== undefined) throw new Error(`The frame ${bad} is not a whole number; frame lists hold integers only.`);
}
