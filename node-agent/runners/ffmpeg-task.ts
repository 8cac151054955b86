import { mkdir, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { TaskSpec } from '../protocol/index.js';
import { buildAudioArgv, buildChunkArgv, buildFramesToVideoArgv, buildJoinArgv, concatListText } from './ffmpeg-argv.js';
import { findFfprobe, runFfmpegTask } from './ffmpeg-runner.js';
import { buildTilesMergeArgv, exrDepthOf } from './tiles-merge-argv.js';
import type { RunnerResult } from './runner-result.js';
import { TaskFailedError } from './task-errors.js';

/**
 * The ffmpeg job types on the agent: turns a validated task spec and its cached inputs into
 * one checked ffmpeg run. Inputs are files named by hash in the cache; where ffmpeg needs
 * them in a particular order or with a pattern (frames), they are linked into the task's
 * work folder under names the agent chooses itself, never names from the wire.
 */
type FfmpegSpec = Extract<TaskSpec, { type: 'transcode-chunk' | 'transcode-audio' | 'transcode-join' | 'frames-video' | 'tiles-merge' }>;

export interface FfmpegTaskOptions {
  spec: FfmpegSpec;
  inputs: string[];
  workDir: string;
  ffmpegPath: string;
  signal: AbortSignal;
  onProgress(u: { fraction: number; framesDone?: number }): void;
  onLog(line: string): void;
}

export async function runFfmpegSpec(o: FfmpegTaskOptions): Promise<RunnerResult> {
  const { spec, workDir } = o;
  const output = join(workDir, spec.outputName);
  const common = { ffmpegPath: o.ffmpegPath, ffprobePath: findFfprobe(o.ffmpegPath), workDir, outputs: [output], signal: o.signal, onProgress: o.onProgress, onLog: o.onLog };
  switch (spec.type) {
    case 'transcode-chunk':
      requireInputs(o.inputs, 1, spec.type);
      return runFfmpegTask({
        ...common,
        argv: buildChunkArgv({ input: o.inputs[0]!, output, seekSeconds: spec.seekSeconds, skipFrames: spec.skipFrames, frameCount: spec.frameCount, video: spec.video }),
        expect: { frames: spec.frameCount, hasVideo: true },
        check: 'report',
      });
    case 'transcode-audio':
      requireInputs(o.inputs, 1, spec.type);
      return runFfmpegTask({
        ...common,
        argv: buildAudioArgv({ input: o.inputs[0]!, output, codec: spec.codec, bitrate: spec.bitrate }),
        expect: { hasAudio: true },
        check: 'report',
      });
    case 'transcode-join': {
      const chunkCount = spec.chunkDurations.length;
      requireInputs(o.inputs, chunkCount + (spec.hasAudio ? 1 : 0), spec.type);
      const concatList = join(workDir, 'chunks.txt');
      await writeFile(concatList, concatListText(spec.chunkDurations.map((durationSeconds, i) => ({ path: o.inputs[i]!, durationSeconds }))));
      return runFfmpegTask({
        ...common,
        argv: buildJoinArgv({ concatList, audio: spec.hasAudio ? o.inputs[chunkCount] : undefined, output }),
        expect: { frames: spec.expectFrames, hasVideo: true, hasAudio: spec.hasAudio, durationSeconds: spec.expectDurationSeconds },
        check: 'probe',
      });
    }
    case 'frames-video': {
      requireInputs(o.inputs, spec.frameCount, spec.type);
      const framesDir = join(workDir, 'frames');
      await mkdir(framesDir, { recursive: true });
      // Renumbered links: any frame list (steps, gaps, reversed) becomes one gapless sequence.
      await Promise.all(o.inputs.map((path, i) => symlink(path, join(framesDir, `f_${String(i).padStart(7, '0')}.${spec.frameExt}`))));
      return runFfmpegTask({
        ...common,
        argv: buildFramesToVideoArgv({ framePattern: join(framesDir, `f_%07d.${spec.frameExt}`), startNumber: 0, frameCount: spec.frameCount, fps: spec.fps, output, codec: spec.codec, crf: spec.crf }),
        expect: { frames: spec.frameCount, hasVideo: true },
        check: 'probe',
      });
    }
    case 'tiles-merge': {
      requireInputs(o.inputs, spec.tiles.length, spec.type);
      const exrDepth = spec.frameExt === 'exr' ? await exrDepthOf(o.inputs[0]!) : undefined;
      return runFfmpegTask({
        ...common,
        argv: buildTilesMergeArgv({ inputs: o.inputs, tiles: spec.tiles, output, ...(exrDepth ? { exrDepth } : {}) }),
        expect: { frames: 1, hasVideo: true },
        check: 'probe',
      });
    }
    default: {
      const never: never = spec;
      throw new TaskFailedError(`Unknown ffmpeg task ${JSON.stringify(never)}.`);
    }
  }
}

function requireInputs(inputs: string[], count: number, type: string): void {
  if (inputs.length !== count) throw new TaskFailedError(`A ${type} task needs ${count} input file(s) but was given ${inputs.length}.`, { unrecoverable: true });
}
