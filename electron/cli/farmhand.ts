import { Command, InvalidArgumentError, Option } from 'commander';
import { FarmKeyError } from '../../node-agent/protocol/index.js';
import { SceneError } from '../controller/jobs/blender/scene-error.js';
import { FrameListError } from '../controller/jobs/frame-list.js';
import { farmHome, loadOrCreateFarmKey } from '../controller/farm-home.js';
import { renderCommand } from './render-command.js';
import { transcodeCommand } from './transcode-command.js';
import { MediaError } from '../controller/jobs/transcode/media-error.js';
import { UserError } from './user-error.js';

/** `farmhand`: the controller's command line. */

function integer(name: string, min: number, max: number) {
  return (value: string) => {
    const n = Number(value);
    if (!Number.isInteger(n) || n < min || n > max) throw new InvalidArgumentError(`${name} must be a whole number from ${min} to ${max}.`);
    return n;
  };
}

const collect = (value: string, previous: string[]) => [...previous, value];

/** Options every command that runs the farm shares. */
function withFarmOptions(command: Command): Command {
  return command
    .option('--agent <url>', 'an agent to use, ws://HOST:PORT (repeatable)', collect, [] as string[])
    .option('--no-discover', 'do not look for agents over mDNS')
    .option('--mdns-interface <ip>', 'discover agents only on this interface address (default: FARMHAND_MDNS_INTERFACE, else all)')
    .option('--no-local-agent', 'do not render on this machine')
    .option('--farm-key <key>', 'the farm key (default: FARMHAND_FARM_KEY, else the one in the data folder)')
    .option('--blender <path>', 'Blender for the local agent and scene reading (default: FARMHAND_BLENDER, else PATH)')
    .addOption(new Option('--agent-wait <seconds>', 'give up when no agent can run the job for this long').argParser(integer('--agent-wait', 1, 86_400)).default(15))
    .option('--quiet', 'print only the result', false);
}

const program = new Command().name('farmhand').description('A render-farm manager: Blender scenes split across the machines of your LAN.');

withFarmOptions(
  program
    .command('render')
    .description('render a Blender scene on the farm and collect every frame')
    .argument('<scene>', 'the .blend file')
    .option('--frames <list>', 'frames to render, e.g. 1-250, 1-100x5, 3,5-10,47 (default: the scene\'s range)')
    .option('--chunk <n>', 'frames per task (default: chosen from the frame and agent counts)', integer('--chunk', 1, 10_000))
    .option('--out <dir>', 'output folder (default: ./farmhand-output/<scene name>/)')
    .option('--priority <n>', 'job priority, 0-100 (higher first)', integer('--priority', 0, 100), 50)
    .option('--format <format>', 'image format: PNG, JPEG, OPEN_EXR, TIFF… (default: the scene\'s, else PNG)')
    .option('--engine <engine>', 'render engine override: CYCLES, BLENDER_EEVEE, BLENDER_WORKBENCH')
    .option('--timeout <seconds>', 'wall-clock limit per task', integer('--timeout', 1, 7 * 86_400))
    .option('--video', 'also encode the frames into <scene name>.mp4 at the scene\'s frame rate', false)
    .option('--json', 'print a JSON summary on stdout', false),
).action(async (scene: string, opts) => {
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

program.parseAsync().then(
  () => {
    // Lingering sockets or timers must not keep a finished one-shot command alive.
    if (program.args[0] === 'render' || program.args[0] === 'transcode') setTimeout(() => process.exit(process.exitCode ?? 0), 200).unref();
  },
  (error: Error) => {
    const known = error instanceof UserError || error instanceof SceneError || error instanceof MediaError || error instanceof FrameListError || error instanceof FarmKeyError;
    console.error(`farmhand: ${known ? error.message : error.stack ?? error.message}`);
    process.exit(known ? 2 : 1);
  },
);
