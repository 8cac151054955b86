import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { rm, stat } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { findOnPath } from '../host/find-executable.js';
import { describeFile, type OutputRef } from '../protocol/index.js';
import { createFfmpegProgressParser, type FfmpegFinalReport } from './ffmpeg-progress.js';
import { closeOrStopOnAbort, forEachLine, spawnProcessGroup, waitForClose } from './process-tree.js';
import type { RunnerResult } from './runner-result.js';
import { TaskCanceledError, TaskFailedError } from './task-errors.js';

/**
 * Runs one ffmpeg command and checks what it made. ffmpeg's exit code is not trusted (it is 0
 * for a truncated input, a seek past the end, or audio-only input): the task succeeds only
 * when every output has the streams, frame count and duration the task expects, and a
 * mismatch fails it with the numbers. Options ffmpeg refuses (an unknown encoder or preset)
 * fail the job at once, since a retry would refuse them again.
 *
 * Two ways to check (`check`): a deliverable (the joined video, frames-to-video) is read
 * back with ffprobe, independently of the ffmpeg that wrote it. An intermediate (a chunk, the
 * audio) is judged by ffmpeg's own final progress report, the frames it encoded: that catches
 * the same short outputs, its bytes are then sealed by their sha256 on the way to the
 * controller, and the join's ffprobe counts every chunk's frames again in the joined file.
 * It saves an ffprobe start per chunk, ~0.15 s of the agent's core each (~215 shared
 * libraries to load and relocate), which on a one-core agent is time not spent encoding.
 */

export interface OutputExpectation {
  frames?: number;
  hasVideo?: boolean;
  hasAudio?: boolean;
  durationSeconds?: number;
}

export interface FfmpegRunOptions {
  ffmpegPath: string;
  ffprobePath: string | null;
  argv: string[];
  workDir: string;
  outputs: string[];
  expect: OutputExpectation;
  /** 'probe': ffprobe reads each output back; 'report': ffmpeg's final progress report is the count (one output only). */
  check: 'probe' | 'report';
  signal: AbortSignal;
  onProgress(u: { fraction: number; framesDone?: number }): void;
  onLog(line: string): void;
}

/** SIGTERM makes ffmpeg finish its file and exit; SIGKILL only if it is still there after this. */
const KILL_GRACE_MS = 5000;
const PROBE_TIMEOUT_MS = 60_000;
/** Lines ffmpeg prints after the error that names the problem. */
const FOLLOW_UP_LINES = /^(To ignore this|Conversion failed!?$)/;
/** Errors that a retry cannot fix: the options themselves are refused. */
const BAD_OPTIONS = /Unknown encoder|Encoder .*not found|Unrecognized option|Error setting (option|preset)|Invalid (pixel format|preset)|Option not found|Invalid encoder type/i;

/** ffprobe beside the agent's ffmpeg (same build), else on PATH. */
export function findFfprobe(ffmpegPath: string): string | null {
  const beside = join(dirname(ffmpegPath), basename(ffmpegPath).replace(/ffmpeg/, 'ffprobe'));
  if (beside !== ffmpegPath && existsSync(beside)) return beside;
  return findOnPath('ffprobe');
}

export async function runFfmpegTask(o: FfmpegRunOptions): Promise<RunnerResult> {
  if (o.signal.aborted) throw new TaskCanceledError('The ffmpeg task was stopped before it started.');
  if (!o.ffprobePath) throw new TaskFailedError('ffprobe is not installed beside ffmpeg on this agent, so outputs cannot be checked; install the full ffmpeg package.');
  // A file left by an earlier run must not pass for this run's output.
  await Promise.all(o.outputs.map((path) => rm(path, { force: true })));

  const parser = createFfmpegProgressParser(o.expect);
  const errors: string[] = [];
  const child = spawnProcessGroup(o.ffmpegPath, o.argv, { cwd: o.workDir, env: { ...process.env, HOME: o.workDir } });
  const closed = waitForClose(child);
  if (child.stdout) forEachLine(child.stdout, (line) => {
    const update = parser.feed(line);
    if (update) o.onProgress(update);
  });
  if (child.stderr) forEachLine(child.stderr, (line) => {
    if (line.trim() === '') return;
    o.onLog(line);
    if (errors.length < 50) errors.push(line.trim());
  });

  const exit = await closeOrStopOnAbort(child, closed, o.signal, KILL_GRACE_MS);

  if (o.signal.aborted) throw new TaskCanceledError('The ffmpeg task was stopped.');
  if (exit.error) throw new TaskFailedError(`ffmpeg at ${o.ffmpegPath} could not be started (${exit.error.message}); check the agent's --ffmpeg path.`);
  if (exit.code !== 0) {
    // The cause, not ffmpeg's closing hints ("To ignore this, add a trailing '?'…", "Conversion failed!").
    const last = errors.filter((e) => !FOLLOW_UP_LINES.test(e)).at(-1) ?? errors.at(-1) ?? 'no error message';
    const how = exit.signal ? `was killed by ${exit.signal}` : `exited with code ${exit.code}`;
    throw new TaskFailedError(`ffmpeg ${how}: ${last}`, { unrecoverable: errors.some((e) => BAD_OPTIONS.test(e)) });
  }
  // Hashing an output (for its ref) and checking it are independent reads of the same file:
  // side by side, a 100 MB joined video costs the longer of the two instead of both.
  const hashing = o.outputs.map((output) => describeFile(output, basename(output)));
  for (const h of hashing) h.catch(() => undefined); // a missing output is reported by the check
  for (const output of o.outputs) {
    if (o.check === 'report') await checkReported(output, parser.final(), o.expect);
    else await checkOutput(o.ffprobePath, output, o.expect);
  }
  const described = new Map<string, OutputRef>();
  for (const [i, output] of o.outputs.entries()) described.set(output, await hashing[i]!);
  o.onProgress({ fraction: 1, ...(o.expect.frames ? { framesDone: o.expect.frames } : {}) });
  return { outputs: o.outputs, described };
}

interface ProbedOutput {
  video: boolean;
  audio: boolean;
  frames: number | null;
  durationSeconds: number | null;
}

async function requireWritten(output: string): Promise<void> {
  const size = await stat(output).then((s) => s.size, () => -1);
  if (size <= 0) throw new TaskFailedError(`ffmpeg reported success but wrote no ${basename(output)}.`);
}

/** An intermediate output judged by what ffmpeg reported encoding into it (see the top of this file). */
async function checkReported(output: string, report: FfmpegFinalReport, expect: OutputExpectation): Promise<void> {
  const name = basename(output);
  await requireWritten(output);
  if (!report.ended) throw new TaskFailedError(`ffmpeg exited without its final progress report, so ${name} cannot be trusted.`);
  if (expect.frames !== undefined && report.frames !== expect.frames) {
    throw new TaskFailedError(`${name} has ${report.frames ?? 'an unknown number of'} frames, expected ${expect.frames}.`);
  }
  // Audio has no frame count to compare; its end time says whether anything was encoded.
  if (expect.hasAudio && expect.frames === undefined && !((report.outSeconds ?? 0) > 0)) throw new TaskFailedError(`ffmpeg encoded no audio into ${name}.`);
}

async function checkOutput(ffprobePath: string, output: string, expect: OutputExpectation): Promise<void> {
  const name = basename(output);
  await requireWritten(output);
  const probed = await probeOutput(ffprobePath, output);
  if (expect.hasVideo && !probed.video) throw new TaskFailedError(`${name} has no video stream.`);
  if (expect.hasAudio && !probed.audio) throw new TaskFailedError(`${name} has no audio stream although the input has audio.`);
  if (expect.hasAudio === false && probed.audio) throw new TaskFailedError(`${name} has an audio stream although the input has none.`);
  if (expect.frames !== undefined && probed.frames !== expect.frames) {
    throw new TaskFailedError(`${name} has ${probed.frames ?? 'an unknown number of'} frames, expected ${expect.frames}.`);
  }
  if (expect.durationSeconds !== undefined && probed.durationSeconds !== null) {
    // One frame's worth of slack: containers round the last frame's duration differently.
    const frame = expect.frames ? expect.durationSeconds / expect.frames : 0.05;
    if (Math.abs(probed.durationSeconds - expect.durationSeconds) > frame + 0.002) {
      throw new TaskFailedError(`${name} lasts ${probed.durationSeconds.toFixed(3)} s, expected ${expect.durationSeconds.toFixed(3)} s.`);
    }
  }
}

function probeOutput(ffprobePath: string, path: string): Promise<ProbedOutput> {
  const args = ['-v', 'error', '-count_packets', '-show_entries', 'stream=codec_type,nb_read_packets,duration:format=duration', '-of', 'json', path];
  return new Promise((done, fail) => {
    execFile(ffprobePath, args, { timeout: PROBE_TIMEOUT_MS, killSignal: 'SIGKILL', maxBuffer: 16 * 1024 * 1024 }, (error, stdout, stderr) => {
      if (error) return fail(new TaskFailedError(`${basename(path)} is not a readable media file (${(stderr || error.message).trim().split('\n').pop()}).`));
      try {
        const json = JSON.parse(stdout) as { streams?: { codec_type?: string; nb_read_packets?: string; duration?: string }[]; format?: { duration?: string } };
        const streams = json.streams ?? [];
        const video = streams.find((s) => s.codec_type === 'video');
        const duration = Number(video?.duration ?? json.format?.duration);
        done({
          video: video !== undefined,
          audio: streams.some((s) => s.codec_type === 'audio'),
          frames: video?.nb_read_packets !== undefined ? Number(video.nb_read_packets) : null,
          durationSeconds: Number.isFinite(duration) ? duration : null,
        });
      } catch {
        fail(new TaskFailedError(`ffprobe printed unreadable details for ${basename(path)}.`));
      }
    });
  });
}
