import type { VideoEncode } from '../protocol/index.js';

/**
 * The ffmpeg command lines of the transcode and frames-to-video job types, built from
 * validated specs only (codec and preset names are plain words, paths are the agent's own).
 * The recipes are the ones notes/media.md measured as frame-exact: chunks by frame index,
 * seek half a frame early, exactly n frames, video only, timestamps reset, no frame-rate
 * filling; audio once; join by the concat demuxer with exact durations and stream copy.
 */

/** Flags every run shares: quiet stderr (errors only), machine-readable progress on stdout. */
export const COMMON_FLAGS = ['-hide_banner', '-nostdin', '-nostats', '-loglevel', 'error', '-progress', 'pipe:1', '-stats_period', '1', '-y'] as const;

export function buildChunkArgv(o: { input: string; output: string; seekSeconds: number; skipFrames?: number; frameCount: number; video: VideoEncode }): string[] {
  const skipping = o.skipFrames !== undefined && o.skipFrames > 0;
  const seek = !skipping && o.seekSeconds > 0 ? ['-ss', seconds(o.seekSeconds)] : [];
  // trim by frame index where seeking is not exact; setpts so the chunk starts at 0 whatever
  // the seek (its duration on the output timeline comes from the join).
  const filters = [
    ...(skipping ? [`trim=start_frame=${o.skipFrames}`] : []),
    'setpts=PTS-STARTPTS',
    ...(o.video.scale ? [`scale=${o.video.scale[0]}:${o.video.scale[1]}`] : []),
  ];
  return [
    ...COMMON_FLAGS,
    ...seek, '-i', o.input,
    '-map', '0:v:0', '-an', '-sn', '-dn',
    '-frames:v', String(o.frameCount),
    '-fps_mode', 'passthrough',
    '-vf', filters.join(','),
    ...videoEncodeArgs(o.video),
    '-f', 'nut', o.output,
  ];
}

export function buildAudioArgv(o: { input: string; output: string; codec: string; bitrate?: string }): string[] {
  return [
    ...COMMON_FLAGS,
    '-i', o.input,
    '-map', '0:a:0', '-vn', '-sn', '-dn',
    '-c:a', o.codec, ...(o.bitrate ? ['-b:a', o.bitrate] : []),
    o.output,
  ];
}

export function buildJoinArgv(o: { concatList: string; audio?: string; output: string }): string[] {
  return [
    ...COMMON_FLAGS,
    '-f', 'concat', '-safe', '0', '-i', o.concatList,
    ...(o.audio ? ['-i', o.audio] : []),
    '-map', '0:v:0', ...(o.audio ? ['-map', '1:a:0'] : []),
    '-c', 'copy',
    ...(isMp4Family(o.output) ? ['-movflags', '+faststart'] : []),
    o.output,
  ];
}

export function buildFramesToVideoArgv(o: { framePattern: string; startNumber: number; frameCount: number; fps: string; output: string; codec?: string; crf?: number }): string[] {
  return [
    ...COMMON_FLAGS,
    '-framerate', o.fps, '-start_number', String(o.startNumber), '-i', o.framePattern,
    '-frames:v', String(o.frameCount),
    // H.264 in 4:2:0 needs even sizes: pad an odd edge by one pixel rather than resample.
    '-vf', 'pad=ceil(iw/2)*2:ceil(ih/2)*2',
    '-c:v', o.codec ?? 'libx264', '-crf', String(o.crf ?? 18), '-pix_fmt', 'yuv420p',
    ...(isMp4Family(o.output) ? ['-movflags', '+faststart'] : []),
    o.output,
  ];
}

/**
 * The concat demuxer's list. Every file gets its exact duration (else the demuxer takes the
 * container's, rounded to milliseconds, and seams drift); paths are quoted for the demuxer.
 */
export function concatListText(files: { path: string; durationSeconds: number }[]): string {
  const lines = ['ffconcat version 1.0'];
  for (const f of files) lines.push(`file ${quote(f.path)}`, `duration ${seconds(f.durationSeconds)}`);
  return `${lines.join('\n')}\n`;
}

function videoEncodeArgs(v: VideoEncode): string[] {
  return [
    '-c:v', v.codec,
    ...(v.crf !== undefined ? ['-crf', String(v.crf)] : []),
    ...(v.preset ? ['-preset', v.preset] : []),
    ...(v.pixelFormat ? ['-pix_fmt', v.pixelFormat] : []),
  ];
}

/** Seconds with microsecond precision, the unit ffmpeg parses time strings into. */
function seconds(value: number): string {
  return (Math.round(value * 1e6) / 1e6).toFixed(6);
}

/** ffconcat quoting: single quotes, with a quote inside written as '\''. */
function quote(path: string): string {
  return `'${path.replace(/'/g, "'\\''")}'`;
}

function isMp4Family(path: string): boolean {
  return /\.(mp4|m4v|mov)$/i.test(path);
}
