import { InvalidArgumentError, type Command } from 'commander';
import { basename, extname, resolve } from 'node:path';
import { ImageFormatSchema, RenderEngineSchema, type ImageFormat, type PathMapRule, type RenderEngine, type SubmitParams } from '../controller/api/contract.js';
import { print, withClient, withClientOptions, type ClientOptions } from './api-connection.js';
import { choice, commaList, integer, pathMapRule, targetChunkMinutes, withRendererOptions } from './cli-options.js';
import { reportJobEnd } from './job-report.js';
import { followJob } from './follow-job.js';
import { UserError } from './user-error.js';

/**
 * `farmhand submit FILE`: queues a job on a running controller and (with --wait) follows it.
 * The job type comes from the file: a .blend is rendered, anything else transcoded. Paths
 * are made absolute here, since the controller does not share this shell's folder.
 */

interface SubmitOptions extends ClientOptions {
  frames?: string;
  chunk?: number;
  targetChunkMinutes?: number;
  out?: string;
  priority: number;
  tags?: string[];
  format?: ImageFormat;
  engine?: RenderEngine;
  video: boolean;
  allowMissing?: boolean;
  mapPath?: PathMapRule[];
  timeout?: number;
  chunks?: number;
  chunkSeconds?: number;
  videoCodec?: string;
  crf?: number;
  preset?: string;
  scale?: [number, number];
  audioCodec?: string;
  audioBitrate?: string;
  device?: 'any' | 'cpu' | 'gpu';
  blenderVersion?: string;
  trustScripts?: boolean;
  previewFirst?: boolean;
  tiles?: number;
  wait: boolean;
}

const RENDER_ONLY = ['frames', 'chunk', 'targetChunkMinutes', 'format', 'engine', 'video', 'allowMissing', 'mapPath', 'device', 'blenderVersion', 'trustScripts', 'previewFirst', 'tiles'] as const;
const TRANSCODE_ONLY = ['chunks', 'chunkSeconds', 'videoCodec', 'crf', 'preset', 'scale', 'audioCodec', 'audioBitrate'] as const;

export function registerSubmitCommand(program: Command): void {
  const command = withClientOptions(withRendererOptions(
    program
      .command('submit')
      .description('queue a job on a running controller: a .blend is rendered, a video transcoded')
      .argument('<file>', 'the .blend scene or the video, as a path on the controller\'s machine')
      .option('--out <path>', 'output folder (render) or file (transcode) (default: under the controller\'s output root)')
      .option('--priority <n>', 'job priority, 0-100 (higher first)', integer('--priority', 0, 100), 50)
      .option('--tags <a,b>', 'run only on agents with all these tags', commaList)
      .option('--timeout <seconds>', 'wall-clock limit per task', integer('--timeout', 1, 7 * 86_400))
      .option('--frames <list>', 'render: frames, e.g. 1-250, 1-100x5, 3,5-10,47 (default: the scene\'s range)')
      .option('--chunk <n>', 'render: frames per task', integer('--chunk', 1, 10_000))
      .option('--preview-first', 'render: single frames spread over the shot first (first, last, middle, quarters…), then the rest', false)
      .option('--target-chunk-minutes <m>', 'render: without --chunk, the longest a chunk should run (default: 10)', targetChunkMinutes)
      .option('--tiles <n>', 'render: cut the single frame into n regions (2-64), merged into the frame', integer('--tiles', 2, 64))
      .option('--format <format>', 'render: image format, PNG, JPEG, OPEN_EXR, TIFF…', choice('--format', ImageFormatSchema.options))
      .option('--engine <engine>', 'render: engine override, CYCLES, BLENDER_EEVEE, BLENDER_WORKBENCH', choice('--engine', RenderEngineSchema.options))
      .option('--video', 'render: also encode the frames into a video', false)
      .option('--allow-missing', 'render: submit even when files the scene names are missing (the job carries a warning)', false)
      .option('--map-path <from=to>', 'render: where an absolute path the scene names is on the controller\'s machine, e.g. C:\\tex=/mnt/tex (repeatable)', pathMapRule, [] as PathMapRule[])
      .option('--chunks <n>', 'transcode: number of chunks', integer('--chunks', 1, 10_000))
      .option('--chunk-seconds <s>', 'transcode: chunk length in seconds instead of --chunks', seconds)
      .option('--video-codec <name>', 'transcode: video encoder (default libx264)')
      .option('--crf <n>', 'transcode: constant rate factor, 0 = lossless (default 20)', integer('--crf', 0, 63))
      .option('--preset <name>', 'transcode: encoder preset (default medium)')
      .option('--scale <WxH>', 'transcode: resize, e.g. 1280x720', size)
      .option('--audio-codec <name>', 'transcode: audio encoder (default aac)')
      .option('--audio-bitrate <rate>', 'transcode: audio bitrate (default 192k)')
      .option('--wait', 'follow the job until it ends; exit 0 only if it succeeded', false),
    'render: ',
  ));
  command.action(async (file: string, o: SubmitOptions) => {
    const params = submitParams(file, o, (name) => command.getOptionValueSource(name) === 'cli');
    process.exitCode = await withClient(o, async (client) => {
      const job = await client.call('jobs.submit', params);
      for (const warning of job.warnings ?? []) process.stderr.write(`Warning: ${warning}\n`);
      if (!o.wait) {
        print(o, job, () => `Submitted job ${job.id} (${job.name}): ${job.taskCount} task(s), priority ${job.priority}.\nFollow it with \`farmhand watch ${job.id}\`.`);
        return 0;
      }
      process.stderr.write(`Submitted job ${job.id} (${job.name}): ${job.taskCount} task(s).\n`);
      return reportJobEnd(o, await followJob(client, job.id, { stream: process.stderr }));
    });
  });
}

/** The contract's submit parameters from the file and the options given; options of the other job type are refused. */
export function submitParams(file: string, o: SubmitOptions, given: (option: string) => boolean): SubmitParams {
  const path = resolve(file);
  const render = extname(path).toLowerCase() === '.blend';
  const misplaced = (render ? TRANSCODE_ONLY : RENDER_ONLY).find((name) => given(name));
  if (misplaced) {
    const flag = `--${misplaced.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`;
    throw new UserError(render
      ? `${flag} applies to videos, and ${basename(path)} is a Blender scene; leave it out.`
      : `${flag} applies to Blender scenes (.blend), and ${basename(path)} is treated as a video; leave it out.`);
  }
  const common = {
    priority: o.priority,
    ...(o.tags ? { tags: o.tags } : {}),
    ...(o.timeout !== undefined ? { taskTimeoutSeconds: o.timeout } : {}),
  };
  if (render) {
    return {
      type: 'render',
      scenePath: path,
      ...common,
      ...(o.frames !== undefined ? { frames: o.frames } : {}),
      ...(o.chunk !== undefined ? { chunkSize: o.chunk } : {}),
      ...(o.targetChunkMinutes !== undefined ? { targetChunkMinutes: o.targetChunkMinutes } : {}),
      ...(o.out !== undefined ? { outputDir: resolve(o.out) } : {}),
      ...(o.format !== undefined ? { format: o.format } : {}),
      ...(o.engine !== undefined ? { engine: o.engine } : {}),
      video: o.video,
      ...(o.allowMissing ? { allowMissing: true } : {}),
      ...(o.mapPath?.length ? { pathMap: o.mapPath } : {}),
      ...(o.device !== undefined ? { device: o.device } : {}),
      ...(o.blenderVersion !== undefined ? { blenderVersion: o.blenderVersion } : {}),
      ...(o.trustScripts ? { trustScripts: true } : {}),
      ...(o.previewFirst ? { previewFirst: true } : {}),
      ...(o.tiles !== undefined ? { tiles: o.tiles } : {}),
    };
  }
  if (o.chunks !== undefined && o.chunkSeconds !== undefined) throw new UserError('Pass either --chunks or --chunk-seconds, not both.');
  return {
    type: 'transcode',
    inputPath: path,
    ...common,
    ...(o.out !== undefined ? { outputPath: resolve(o.out) } : {}),
    ...(o.chunks !== undefined ? { chunks: o.chunks } : {}),
    ...(o.chunkSeconds !== undefined ? { chunkSeconds: o.chunkSeconds } : {}),
    ...(o.videoCodec !== undefined ? { videoCodec: o.videoCodec } : {}),
    ...(o.crf !== undefined ? { crf: o.crf } : {}),
    ...(o.preset !== undefined ? { preset: o.preset } : {}),
    ...(o.scale !== undefined ? { scale: o.scale } : {}),
    ...(o.audioCodec !== undefined ? { audioCodec: o.audioCodec } : {}),
    ...(o.audioBitrate !== undefined ? { audioBitrate: o.audioBitrate } : {}),
  };
}

function seconds(value: string): number {
  const n = Number(value);
  if (!(n > 0 && n <= 86_400)) throw new InvalidArgumentError('--chunk-seconds must be a number of seconds above 0.');
  return n;
}

function size(value: string): [number, number] {
  const match = /^(\d{2,5})x(\d{2,5})$/.exec(value.trim());
  if (!match) throw new InvalidArgumentError(`--scale "${value}" is not a size; use WIDTHxHEIGHT like 1280x720.`);
  return [Number(match[1]), Number(match[2])];
}
