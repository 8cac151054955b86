/**
 * Parses ffmpeg's `-progress pipe:1` output: blocks of key=value lines, each ending with
 * `progress=continue` or `progress=end`. `out_time_us` (and the misnamed `out_time_ms`) are
 * microseconds; values may be `N/A` or padded. The fraction comes from frames when the task
 * knows how many to expect, else from the output time against the expected duration.
 */

export interface FfmpegProgress {
  fraction: number;
  framesDone?: number;
}

/** ffmpeg's own account of a finished run: its last report, once it printed `progress=end`. */
export interface FfmpegFinalReport {
  ended: boolean;
  /** Frames encoded into the first video output (what `-frames:v` caps). */
  frames?: number;
  /** The output's end time in seconds. */
  outSeconds?: number;
}

export function createFfmpegProgressParser(expect: { frames?: number; durationSeconds?: number }): { feed(line: string): FfmpegProgress | null; final(): FfmpegFinalReport } {
  let frame: number | undefined;
  let outSeconds: number | undefined;
  let ended = false;
  return {
    final: () => ({ ended, ...(frame !== undefined ? { frames: frame } : {}), ...(outSeconds !== undefined ? { outSeconds } : {}) }),
    feed(line) {
      const eq = line.indexOf('=');
      if (eq <= 0) return null;
      const key = line.slice(0, eq).trim();
      const value = line.slice(eq + 1).trim();
      const n = Number(value);
      if (key === 'frame' && value !== '' && Number.isFinite(n)) frame = n;
      else if ((key === 'out_time_us' || key === 'out_time_ms') && value !== '' && Number.isFinite(n) && n >= 0) outSeconds = n / 1e6;
      else if (key === 'progress') {
        const end = value === 'end';
        if (end) ended = true;
        let fraction: number;
        if (expect.frames && frame !== undefined) fraction = frame / expect.frames;
        else if (expect.durationSeconds && outSeconds !== undefined) fraction = outSeconds / expect.durationSeconds;
        else fraction = end ? 1 : 0;
        fraction = Math.min(end ? 1 : 0.999, Math.max(0, fraction));
        return { fraction, ...(frame !== undefined && expect.frames ? { framesDone: Math.min(frame, expect.frames) } : {}) };
      }
      return null;
    },
  };
}
