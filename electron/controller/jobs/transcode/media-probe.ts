import { execFile } from 'node:child_process';
import { stat } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import { isExecutableFile, findOnPath, resolveExecutable } from '../../../../node-agent/host/find-executable.js';
import { notVideoReason, readHead, startsLikeIsoMedia } from './file-head.js';
import { MediaError } from './media-error.js';

/**
 * Reads what a transcode plan needs from an input video with ffprobe, before any task exists:
 * streams, frame rate, duration, and the presentation time of every video frame (from the
 * packet list, so variable frame rates and non-zero start times plan exactly). Anything that
 * is not a complete video with a video stream is refused here, with one sentence naming the
 * file, so no agent ever gets a task for it.
 */

export interface MediaInfo {
  /** Seconds from the file's start_time to the end of its last video frame. */
  durationSeconds: number;
  /** The video's frame rate as ffprobe's exact rational, e.g. "30000/1001". */
  frameRate: string;
  frameDurationSeconds: number;
  /** Presentation time of every video frame in order, seconds from the file's start (what `-ss` counts from). */
  frameTimes: number[];
  startTimeSeconds: number;
  video: { codec: string; width: number; height: number; pixelFormat: string };
  audio: { codec: string; sampleRate: number; channels: number } | null;
  container: string;
  /**
   * Whether `-ss` lands exactly: true for containers with a frame index (MP4/MOV, Matroska).
   * MPEG-TS and raw streams seek by estimate and can land past the target (measured: 18 frames
   * late in a TS file), so their chunks decode from the start instead.
   */
  exactSeek: boolean;
}

const PROBE_TIMEOUT_MS = 60_000;
/** ffprobe format names of containers that carry a seek index. */
const INDEXED_CONTAINERS = /(^|,)(mov|mp4|matroska|webm)(,|$)/;
const MAX_OUTPUT = 512 * 1024 * 1024;

/** ffprobe: the explicit path, FARMHAND_FFPROBE, the one beside FARMHAND_FFMPEG, then PATH. */
export function findFfprobe(explicit?: string): string | null {
  const given = explicit ?? (process.env.FARMHAND_FFPROBE || undefined);
  if (given !== undefined) {
    return resolveExecutable(given);
  }
  const ffmpeg = process.env.FARMHAND_FFMPEG;
  if (ffmpeg && ffmpeg.includes('/')) {
    const beside = join(dirname(resolve(ffmpeg)), 'ffprobe');
    if (isExecutableFile(beside)) return beside;
  }
  return findOnPath('ffprobe');
}

export async function probeMedia(path: string, o: { ffprobePath: string }): Promise<MediaInfo> {
  const name = basename(path);
  const info = await stat(path).catch(() => null);
  if (!info) throw new MediaError(`The input "${path}" does not exist; check the path.`);
  if (info.isDirectory()) throw new MediaError(`The input "${path}" is a folder; pass a video file.`);
  if (info.size === 0) throw new MediaError(`The input "${name}" is empty (0 bytes); pass a complete video file.`);

  // The header and the packet list come from two ffprobe runs side by side (one run printing
  // both is slower: its JSON for every packet of every stream); the header is judged first.
  const headerRun = ffprobe(o.ffprobePath, ['-show_format', '-show_streams', '-print_format', 'json', path]);
  const packetsRun = ffprobe(o.ffprobePath, ['-select_streams', 'v:0', '-show_entries', 'packet=pts_time', '-of', 'csv=p=0', path]);
  const header = await headerRun;
  if (header.code !== 0) {
    // ffprobe judges by the name, so the file's own first bytes decide what to tell the user.
    const head = await readHead(path);
    const notVideo = notVideoReason(head, info.size);
    if (notVideo) throw new MediaError(`"${name}" is not a video (${notVideo}); choose a video file.`);
    throw new MediaError(`"${name}" is not a readable video (${probeReason(header.stderr, head)}); check the file is complete and is a video.`);
  }
  const parsed = parseJson(header.stdout, name);
  const streams = parsed.streams ?? [];
  const video = streams.find((s) => s.codec_type === 'video' && s.disposition?.attached_pic !== 1);
  const audio = streams.find((s) => s.codec_type === 'audio');
  if (!video) {
    const what = audio ? 'it is audio only' : 'it has no video stream';
    throw new MediaError(`"${name}" has no video to transcode (${what}); pass a video file.`);
  }
  const frameRate = pickRate(video.r_frame_rate, video.avg_frame_rate);
  if (!frameRate) throw new MediaError(`"${name}" does not say its frame rate, so it cannot be split exactly; remux it (ffmpeg -i in -c copy out.mkv) and try again.`);
  const frameDurationSeconds = 1 / rationalValue(frameRate);
  const startTimeSeconds = Number(parsed.format?.start_time ?? 0) || 0;

  const packets = await packetsRun;
  if (packets.code !== 0) throw new MediaError(`"${name}" could not be read to the end (${probeReason(packets.stderr)}); it may be truncated, so copy it again.`);
  const times = packets.stdout.split('\n').map((l) => l.trim().replace(/,$/, '')).filter((l) => l !== '' && l !== 'N/A').map(Number).filter(Number.isFinite);
  if (times.length === 0) throw new MediaError(`"${name}" has a video stream with no frames; pass a complete video file.`);
  const declared = Number(video.nb_frames);
  if (/partial file|truncat|Invalid NAL|error reading/i.test(packets.stderr) || (Number.isFinite(declared) && declared > 0 && times.length < declared)) {
    throw new MediaError(`"${name}" is truncated (${times.length} of ${Number.isFinite(declared) && declared > 0 ? declared : 'its'} frames are readable); copy the complete file and try again.`);
  }
  times.sort((a, b) => a - b);
  const frameTimes = times.map((t) => t - startTimeSeconds);
  const durationSeconds = frameTimes.at(-1)! + frameDurationSeconds - Math.min(0, frameTimes[0]!);
  return {
    durationSeconds,
    frameRate,
    frameDurationSeconds,
    frameTimes,
    startTimeSeconds,
    video: { codec: String(video.codec_name ?? 'unknown'), width: Number(video.width) || 0, height: Number(video.height) || 0, pixelFormat: String(video.pix_fmt ?? 'unknown') },
    audio: audio ? { codec: String(audio.codec_name ?? 'unknown'), sampleRate: Number(audio.sample_rate) || 0, channels: Number(audio.channels) || 0 } : null,
    container: String(parsed.format?.format_name ?? 'unknown'),
    exactSeek: INDEXED_CONTAINERS.test(String(parsed.format?.format_name ?? '')),
  };
}

interface ProbeStream {
  codec_type?: string;
  codec_name?: string;
  width?: number;
  height?: number;
  pix_fmt?: string;
  r_frame_rate?: string;
  avg_frame_rate?: string;
  nb_frames?: string;
  sample_rate?: string;
  channels?: number;
  disposition?: { attached_pic?: number };
}

interface ProbeJson {
  streams?: ProbeStream[];
  format?: { start_time?: string; format_name?: string; duration?: string };
}

function parseJson(text: string, name: string): ProbeJson {
  try {
    return JSON.parse(text) as ProbeJson;
  } catch {
    throw new MediaError(`ffprobe printed unreadable details for "${name}"; check the file is a video.`);
  }
}

/** r_frame_rate is the stream's base rate (exact for CFR); avg_frame_rate is the fallback. */
function pickRate(...candidates: (string | undefined)[]): string | null {
  for (const rate of candidates) {
    if (!rate || !/^\d+\/\d+$/.test(rate)) continue;
    const value = rationalValue(rate);
    if (value > 0 && value <= 1000) return rate;
  }
  return null;
}

function rationalValue(rate: string): number {
  const [n, d] = rate.split('/').map(Number);
  return n! / (d || 1);
}

/**
 * ffprobe's last error line without the file path it repeats, e.g. "moov atom not found". A
 * missing MP4 index means truncated only when the file starts like an MP4 at all (`head`, when
 * the header could not be read; a file whose header was read is a video).
 */
function probeReason(stderr: string, head?: Buffer): string {
  if (/moov atom not found/.test(stderr)) {
    return !head || startsLikeIsoMedia(head) ? 'its MP4 index is missing, as in a truncated or still-recording file' : 'its first bytes are not those of an MP4 or any video format ffprobe knows';
  }
  const line = stderr.split('\n').map((l) => l.trim()).filter(Boolean).pop() ?? 'ffprobe failed';
  return line.replace(/^.*?:\s+(?=[A-Za-z])/, '').replace(/\.$/, '').slice(0, 200) || line;
}

function ffprobe(path: string, args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((done) => {
    execFile(path, ['-v', 'error', '-hide_banner', ...args], { timeout: PROBE_TIMEOUT_MS, killSignal: 'SIGKILL', maxBuffer: MAX_OUTPUT }, (error, stdout, stderr) => {
      const code = error ? (typeof (error as { code?: unknown }).code === 'number' ? (error as { code: number }).code : null) : 0;
      done({ code, stdout, stderr: stderr || (error && code === null ? error.message : '') });
    });
  });
}
