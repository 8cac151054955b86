import { execFile } from 'node:child_process';
import { promisify } from 'node:util';

/** Real ffmpeg/ffprobe helpers for tests: generate clips, count frames, hash decoded frames, compare. */
const run = promisify(execFile);
const MAX = 256 * 1024 * 1024;

export async function makeClip(path: string, o: { seconds: number; rate: string; size?: string; audio: boolean; codec?: string; pixFmt?: string; preset?: string }): Promise<void> {
  const args = ['-hide_banner', '-nostdin', '-y', '-loglevel', 'error', '-f', 'lavfi', '-i', `testsrc2=size=${o.size ?? '320x180'}:rate=${o.rate}`];
  if (o.audio) args.push('-f', 'lavfi', '-i', 'sine=frequency=440:sample_rate=48000');
  args.push('-t', String(o.seconds), '-c:v', o.codec ?? 'libx264', ...(o.preset ? ['-preset', o.preset] : []), '-pix_fmt', o.pixFmt ?? 'yuv420p', '-g', '30');
  if (o.audio) args.push('-c:a', 'aac', '-b:a', '128k');
  args.push(path);
  await run('ffmpeg', args, { maxBuffer: MAX });
}

/** Decoded video frames, one md5 each (framemd5's hash column only: timing is compared separately). */
export async function frameHashes(path: string): Promise<string[]> {
  const { stdout } = await run('ffmpeg', ['-v', 'error', '-i', path, '-map', '0:v:0', '-f', 'framemd5', '-'], { maxBuffer: MAX });
  return stdout.split('\n').filter((l) => l && !l.startsWith('#')).map((l) => l.split(',').at(-1)!.trim());
}

export async function videoFrameCount(path: string): Promise<number> {
  const { stdout } = await run('ffprobe', ['-v', 'error', '-select_streams', 'v:0', '-count_packets', '-show_entries', 'stream=nb_read_packets', '-of', 'csv=p=0', path]);
  return Number(stdout.trim());
}

export async function streamDuration(path: string, stream: 'v' | 'a'): Promise<number | null> {
  const { stdout } = await run('ffprobe', ['-v', 'error', '-select_streams', `${stream}:0`, '-show_entries', 'packet=pts_time,duration_time', '-of', 'csv=p=0', path], { maxBuffer: MAX });
  const packets = stdout.split('\n').filter(Boolean).map((l) => l.split(',').map(Number) as [number, number]);
  if (packets.length === 0) return null;
  const start = Math.min(...packets.map((p) => p[0]));
  const end = Math.max(...packets.map((p) => p[0] + (Number.isFinite(p[1]) ? p[1] : 0)));
  return end - start;
}

export async function frameRate(path: string): Promise<string> {
  const { stdout } = await run('ffprobe', ['-v', 'error', '-select_streams', 'v:0', '-show_entries', 'stream=r_frame_rate', '-of', 'csv=p=0', path]);
  return stdout.trim();
}

/** Per-frame PSNR (dB) of `a` against `b`, frame for frame; Infinity for identical frames. */
export async function perFramePsnr(a: string, b: string): Promise<number[]> {
  const { stdout } = await run('ffmpeg', ['-v', 'error', '-i', a, '-i', b, '-lavfi', '[0:v][1:v]psnr=stats_file=-', '-f', 'null', '-'], { maxBuffer: MAX });
  return stdout.split('\n').filter((l) => l.includes('psnr_avg:')).map((l) => {
    const v = /psnr_avg:(\S+)/.exec(l)![1]!;
    return v === 'inf' ? Infinity : Number(v);
  });
}
