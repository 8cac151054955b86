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

export function createFfmpegProgressParser(expect: { frames?: number; durationSeconds?: number }): { feed(line: string): FfmpegProgress | null } {
  let frame: number | undefined;
  let outSeconds: number | undefined;
  return {
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
