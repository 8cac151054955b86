/**
 * Turns Blender's console output into task progress. Blender has no machine-readable progress,
 * so this reads the lines it prints in background mode (3.4.1):
 *   `Fra:7 Mem:… | Time:00:00.66 | … | Scene, ViewLayer | Sample 16/64`   Cycles
 *   `Fra:1 Mem:… | Time:00:04.21 | Rendering 26 / 64 samples`             Eevee
 *   `Saved: '/abs/out/shot_0007.png'`                                       one per finished frame
 *   `Error: Failed to read blend file '/x.blend': Missing DNA block`       exit codes lie; errors do not
 * Finished frames are counted by `Saved:` lines; sample counts only refine the current frame.
 */

export interface ProgressUpdate {
  /** The whole task, 0..1; never goes backwards. */
  fraction: number;
  framesDone: number;
  currentFrame?: number;
  message?: string;
  /** Process start → Blender's first `Fra:` line (ms); set by the runner once known (blender-runner.ts). */
  startupMs?: number;
}

export interface BlenderProgressParser {
  /** Reads one line; returns the new progress when the line changed it, else null. */
  feed(line: string): ProgressUpdate | null;
  /** The text of every `Error:` line so far, in order. */
  errors(): string[];
  /** The paths of every `Saved:` line so far, in order. */
  savedPaths(): string[];
}

const SAVED = /^Saved: '(.*)'\s*$/;
const ERROR = /^Error: (.*?)\s*$/;
const FRAME = /^Fra:(-?\d+) /;
const CYCLES_SAMPLE = /\| Sample (\d+)\/(\d+)/;
const EEVEE_SAMPLE = /\| Rendering (\d+) \/ (\d+) samples/;

/** `onSaved` hears each `Saved:` path as it is read (a finished frame that may be sent on at once). */
export function createBlenderProgressParser(totalFrames: number, onSaved?: (path: string) => void): BlenderProgressParser {
  const total = Math.max(1, totalFrames);
  const errors: string[] = [];
  const saved: string[] = [];
  let framesDone = 0;
  let currentFrame: number | undefined;
  let withinFrame = 0;
  let fraction = 0;

  const update = (message: string): ProgressUpdate => {
    const partial = framesDone < total ? withinFrame : 0;
    fraction = Math.max(fraction, Math.min(1, (framesDone + partial) / total));
    return { fraction, framesDone, ...(currentFrame !== undefined ? { currentFrame } : {}), message };
  };

  return {
    feed(line) {
      const savedMatch = SAVED.exec(line);
      if (savedMatch) {
        saved.push(savedMatch[1]!);
        onSaved?.(savedMatch[1]!);
        framesDone = Math.min(total, framesDone + 1);
        withinFrame = 0;
        return update(`Saved ${baseName(savedMatch[1]!)}`);
      }
      const errorMatch = ERROR.exec(line);
      if (errorMatch) {
        errors.push(errorMatch[1]!);
        return null;
      }
      const frameMatch = FRAME.exec(line);
      if (!frameMatch) return null;
      const frame = Number(frameMatch[1]);
      if (frame !== currentFrame) {
        currentFrame = frame;
        withinFrame = 0;
      }
      const samples = CYCLES_SAMPLE.exec(line) ?? EEVEE_SAMPLE.exec(line);
      if (samples && Number(samples[2]) > 0) withinFrame = Math.min(1, Number(samples[1]) / Number(samples[2]));
      return update(statusOf(line));
    },
    errors: () => [...errors],
    savedPaths: () => [...saved],
  };
}

/**
 * The status part of a `Fra:` line: the fields after the statistics (`Fra:`, `Time:`,
 * `Remaining:`, `Mem:`), without Cycles' `Scene, ViewLayer` field, e.g. `Sample 4/16`,
 * `Synchronizing object | Cube`, `Syncing Cube`.
 */
function statusOf(line: string): string {
  const fields = line.split(' | ').map((f) => f.trim());
  let i = 0;
  while (i < fields.length && /^(Fra|Time|Remaining|Mem):/.test(fields[i]!)) i++;
  const cycles = fields.slice(0, i).some((f) => /^Mem:.*, Peak:/.test(f));
  return fields.slice(cycles && fields.length - i > 1 ? i + 1 : i).join(' | ');
}

function baseName(path: string): string {
  return path.slice(Math.max(path.lastIndexOf('/'), path.lastIndexOf('\\')) + 1);
}
