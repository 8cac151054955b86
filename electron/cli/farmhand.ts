import { Command, CommanderError, InvalidArgumentError } from 'commander';
import { ImageFormatSchema, RenderEngineSchema, type PathMapRule } from '../controller/api/contract.js';
import { farmHome, loadOrCreateFarmKey } from '../controller/farm-home.js';
import { registerAgentCommands } from './agent-commands.js';
import { cliFailure } from './cli-failure.js';
import { choice, integer, pathMapRule, targetChunkMinutes, withFarmOptions, withRendererOptions } from './cli-options.js';
import { registerControllerCommand } from './controller-command.js';
import { StoppedWatching } from './follow-job.js';
import { registerJobCommands } from './job-commands.js';
import { registerQueueCommands } from './queue-commands.js';
import { renderCommand } from './render-command.js';
import { registerSubmitCommand } from './submit-command.js';
import { transcodeCommand } from './transcode-command.js';

/**
 * `farmhand`: the controller's command line. `render` and `transcode` run a whole farm in
 * this process for one job; `controller` runs the farm as a service, and the other commands
 * are its clients over the API (submit, jobs, watch, agents, queue…).
 */

// Options belong to the command they follow (`agents add URL --json` is add's --json).
// Usage errors (already printed by commander) are user errors like any other: exit code 2.
const program = new Command().name('farmhand').description('A render-farm manager: Blender scenes split across the machines of your LAN.').enablePositionalOptions().exitOverride();

withFarmOptions(withRendererOptions(
  program
    .command('render')
    .description('render a Blender scene on the farm and collect every frame')
    .argument('<scene>', 'the .blend file')
    .option('--frames <list>', 'frames to render, e.g. 1-250, 1-100x5, 3,5-10,47 (default: the scene\'s range)')
    .option('--chunk <n>', 'frames per task, fixed (default: sized from measured start-up and frame times, re-planned as frames are measured)', integer('--chunk', 1, 10_000))
    .option('--target-chunk-minutes <m>', 'without --chunk: the longest a chunk should run (default: 10)', targetChunkMinutes)
    .option('--preview-first', 'render single frames spread over the shot first (first, last, middle, quarters…), then the rest', false)
    .option('--tiles <n>', 'one still across the farm: cut the single frame into n regions (2-64), one per task, merged into the frame (PNG or OPEN_EXR)', integer('--tiles', 2, 64))
    .option('--out <dir>', 'output folder (default: ./farmhand-output/<scene name>/)')
    .option('--priority <n>', 'job priority, 0-100 (higher first)', integer('--priority', 0, 100), 50)
    .option('--format <format>', 'image format: PNG, JPEG, OPEN_EXR, TIFF… (default: the scene\'s, else PNG)', choice('--format', ImageFormatSchema.options))
    .option('--engine <engine>', 'render engine override: CYCLES, BLENDER_EEVEE, BLENDER_WORKBENCH', choice('--engine', RenderEngineSchema.options))
    .option('--timeout <seconds>', 'wall-clock limit per task', integer('--timeout', 1, 7 * 86_400))
    .option('--video', 'also encode the frames into <scene name>.mp4 at the scene\'s frame rate', false)
    .option('--allow-missing', 'render even when files the scene names are missing (the job carries a warning)', false)
    .option('--map-path <from=to>', 'where an absolute path the scene names is on this machine, e.g. C:\\tex=/mnt/tex (repeatable)', pathMapRule, [] as PathMapRule[])
    .option('--json', 'print a JSON summary on stdout', false),
)).action(async (scene: string, opts) => {
  process.exitCode = await renderCommand(scene, { ...opts, home: farmHome() });
});

withFarmOptions(
  program
    .command('transcode')
    .description('transcode a video on the farm: chunks in parallel, joined frame-exact')
    .argument('<input>', 'the video file (MP4, MOV, MKV…)')
    .option('--out <file>', 'output file (default: ./farmhand-output/<input name>.mp4)')
    .option('--chunks <n>', 'number of chunks (default: from the duration and the agents)', integer('--chunks', 1, 10_000))
    .option('--chunk-seconds <s>', 'chunk length in seconds instead of --chunks', (v) => {
      const n = Number(v);
      if (!(n > 0 && n <= 86_400)) throw new InvalidArgumentError('--chunk-seconds must be a number of seconds above 0.');
      return n;
    })
    .option('--video-codec <name>', 'video encoder (default libx264)')
    .option('--crf <n>', 'constant rate factor, 0 = lossless (default 20)', integer('--crf', 0, 63))
    .option('--preset <name>', 'encoder preset (default medium)')
    .option('--scale <WxH>', 'resize, e.g. 1280x720')
    .option('--audio-codec <name>', 'audio encoder (default aac)')
    .option('--audio-bitrate <rate>', 'audio bitrate (default 192k)')
    .option('--ffmpeg <path>', 'ffmpeg for the local agent (default: FARMHAND_FFMPEG, else PATH)')
    .option('--ffprobe <path>', 'ffprobe to read the input (default: beside ffmpeg, else PATH)')
    .option('--priority <n>', 'job priority, 0-100 (higher first)', integer('--priority', 0, 100), 50)
    .option('--timeout <seconds>', 'wall-clock limit per task', integer('--timeout', 1, 7 * 86_400))
    .option('--json', 'print a JSON summary on stdout', false),
).action(async (input: string, opts) => {
  process.exitCode = await transcodeCommand(input, { ...opts, home: farmHome() });
});

program
  .command('key')
  .description('print the farm key, to start agents with (--farm-key or FARMHAND_FARM_KEY)')
  .action(async () => {
    console.log(await loadOrCreateFarmKey(farmHome()));
  });

registerControllerCommand(program);
registerSubmitCommand(program);
registerJobCommands(program);
registerAgentCommands(program);
registerQueueCommands(program);

program.parseAsync().then(
  () => {
    // The command has awaited everything that matters (store flushed, links closed, output
    // written; stdout and stderr are synchronous for files and pipes on POSIX): lingering
    // sockets or timers must not keep it alive, nor delay the next step of a script.
    process.exit(process.exitCode ?? 0);
  },
  (error: Error) => {
    if (error instanceof CommanderError) process.exit(error.exitCode === 0 ? 0 : 2);
    if (error instanceof StoppedWatching) {
      console.error(error.message);
      process.exit(130);
    }
    // User errors by class (cli-failure.ts): the sentence and exit 2; anything else exit 1.
    const { exitCode, text } = cliFailure(error);
    console.error(text);
    process.exit(exitCode);
  },
);
