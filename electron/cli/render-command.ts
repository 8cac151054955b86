import { access } from 'node:fs/promises';
import { basename, extname, join, resolve } from 'node:path';
import { describeFile } from '../../node-agent/protocol/index.js';
import { compileBlenderJob } from '../controller/jobs/blender/blender-job.js';
import { parseFrameList } from '../controller/jobs/frame-list.js';
import { findBlender } from '../controller/jobs/blender/find-blender.js';
import { readSceneInfo, type SceneInfo } from '../controller/jobs/blender/scene-probe.js';
import { startFarm, type FarmOptions } from '../farm/start-farm.js';
import { TerminalOutput, type TerminalOptions } from './terminal-output.js';
import { watchJob } from './watch-job.js';
import { UserError } from './user-error.js';

/** `farmhand render SCENE.blend`: one Blender job on the farm, from start to every frame on disk. */

export interface RenderOptions extends FarmOptions, TerminalOptions {
  frames?: string;
  chunk?: number;
  out?: string;
  priority: number;
  format?: string;
  engine?: string;
  timeout?: number;
  video: boolean;
  json: boolean;
}

export async function renderCommand(scenePath: string, o: RenderOptions): Promise<number> {
  const started = performance.now();
  const scene = resolve(scenePath);
  if (o.frames !== undefined) parseFrameList(o.frames); // a bad list fails before anything starts
  // The farm (local agent, links) starts while the scene is read and hashed: neither waits for the other.
  const terminal = new TerminalOutput(o.quiet);
  const farmStarting = startFarm({ ...o, logger: terminal.logger });
  farmStarting.catch(() => undefined);
  let sceneInfo: SceneInfo;
  let sceneRef: Awaited<ReturnType<typeof describeFile>>;
  try {
    const hashing = describeFile(scene, basename(scene));
    hashing.catch(() => undefined); // a missing or broken scene is reported by readScene, in its words
    sceneInfo = await readScene(scene, o);
    sceneRef = await hashing;
  } catch (error) {
    await farmStarting.then((farm) => farm.close(), () => undefined);
    throw error;
  }
  if (o.video && !o.format && !['PNG', 'JPEG', 'TIFF', 'BMP', 'TARGA'].includes(sceneInfo.fileFormat)) o.format = 'PNG';
  const outputDir = resolve(o.out ?? join('farmhand-output', basename(scene, extname(scene))));

  const farm = await farmStarting;
  try {
    const agentCount = await farm.waitForAgents('blender');
    let job;
    try {
      job = compileBlenderJob({
        scenePath: scene,
        frames: o.frames,
        chunkSize: o.chunk,
        outputDir,
        priority: o.priority,
        ...(o.format ? { format: o.format as never } : {}),
        ...(o.engine ? { engine: o.engine as never } : {}),
        ...(o.timeout ? { taskTimeoutMs: o.timeout * 1000 } : {}),
        video: o.video,
      }, { scene: sceneRef, scenePath: scene, sceneInfo, agentCount });
    } catch (error) {
      throw new UserError((error as Error).message);
    }
    const frameCount = Number(job.settings.frameCount);
    await farm.controller.admit(job);
    terminal.print(`Rendering ${frameCount} frame(s) of ${basename(scene)} in ${job.tasks.length} chunk(s) of up to ${job.settings.chunkSize} on ${agentCount} agent(s) → ${outputDir}`);
    const summary = await watchJob(farm, terminal, job.id, { unit: 'frames', countOf: (t) => (t.spec.type === 'blender' ? t.spec.frames.length : 0) });

    const frameTasks = job.tasks.filter((t) => t.spec.type === 'blender');
    const videoTask = job.tasks.find((t) => t.spec.type === 'frames-video');
    const missing: string[] = [];
    for (const task of job.tasks) {
      if (task.state !== 'succeeded') continue;
      for (const name of task.collected) await access(join(outputDir, name)).catch(() => missing.push(name));
    }
    const framesOnDisk = frameTasks.filter((t) => t.state === 'succeeded').reduce((n, t) => n + t.collected.length, 0) - missing.filter((m) => !m.endsWith('.mp4')).length;
    const video = videoTask?.state === 'succeeded' ? join(outputDir, videoTask.collected[0] ?? '') : null;
    const seconds = ((performance.now() - started) / 1000).toFixed(1);
    if (o.json) console.log(JSON.stringify({ job: summary, frames: frameCount, framesOnDisk, outputDir, video, seconds: Number(seconds) }));
    if (summary.state === 'succeeded' && framesOnDisk === frameCount && missing.length === 0) {
      terminal.print(`Done: ${frameCount} frame(s) in ${outputDir}${video ? `, video ${video}` : ''} (${seconds} s).`);
      return 0;
    }
    const reason = summary.failure ?? job.tasks.find((t) => t.state === 'failed')?.error ?? `${summary.state}`;
    terminal.print(`Render ${summary.state === 'canceled' ? 'canceled' : 'failed'}: ${framesOnDisk} of ${frameCount} frame(s) are in ${outputDir}. ${reason}`);
    return 1;
  } finally {
    await farm.close();
  }
}

/** Reads the scene's frame range, fps and format; refuses a missing or broken file before anything starts. */
function readScene(scene: string, o: RenderOptions): Promise<SceneInfo> {
  return readSceneInfo(scene, { blenderPath: findBlender(o.blender), scratchHome: join(o.home, 'scratch-home') });
}
