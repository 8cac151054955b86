import type { BlenderTaskSpec, FileRef } from '../../../../node-agent/protocol/index.js';
import type { ImageFormat } from '../../api/contract.js';
import type { SceneInfo } from '../../api/views.js';
import type { TaskRecord } from '../../model/job-model.js';
import { frameFileName } from '../expected-outputs.js';
import { newTask } from '../new-job.js';
import { SettingsError } from '../settings-error.js';
import { SceneError } from './scene-error.js';
import { tileGrid, tileRegions } from './tile-regions.js';

/**
 * A tiled still (`--tiles N`): one frame cut into N regions (tile-regions.ts), each a Blender
 * task on its own agent, and a last `tiles-merge` task that cuts each region out of its tile
 * and lays them into `<name>_####.<ext>` in the job's folder. The tiles are intermediates: they
 * go to the job's work folder and are deleted with it when the job ends. The merge takes the
 * tiles' outputs as inputs, so it runs on the controller's own agent when there is one (the
 * tiles are already on its disk), else on an agent with ffmpeg. Only formats the merge keeps
 * bit for bit are accepted: PNG (8/16-bit, RGB/RGBA/BW) and single-layer OpenEXR (half/float).
 */

const MERGEABLE: Partial<Record<ImageFormat, 'png' | 'exr'>> = { PNG: 'png', OPEN_EXR: 'exr' };

export interface TiledStillInput {
  jobId: string;
  tiles: number;
  frames: readonly number[];
  format: ImageFormat;
  outputName: string;
  video: boolean;
  sceneInfo: SceneInfo | null;
  scene: FileRef;
  /** Everything a tile's spec shares with a frame chunk's (engine, workspace, Blender, device, trust). */
  common: Omit<BlenderTaskSpec, 'type' | 'frames' | 'outputName' | 'format' | 'region'>;
}

export function tiledStillTasks(o: TiledStillInput): TaskRecord[] {
  if (o.frames.length !== 1) throw new SettingsError(`Tiles split one still frame, but the job has ${o.frames.length} frames; give a single frame (e.g. 12) or leave tiles out.`);
  if (o.video) throw new SettingsError('A tiled still is one frame and cannot be encoded to video; leave out either video or tiles.');
  const frameExt = MERGEABLE[o.format];
  if (!frameExt) throw new SettingsError(`Tiles are merged exactly only from PNG or single-layer OpenEXR frames, not ${o.format}; render the still with format PNG or OPEN_EXR.`);
  if (o.common.viewSuffixes) throw new SettingsError('A stereo scene saving one file per view cannot be tiled; render its still whole (leave tiles out).');
  if (!o.sceneInfo) throw new SceneError('The scene\'s resolution is unknown (Blender is not installed on this machine to read it), so its still cannot be cut into tiles.');
  const [width, height] = o.sceneInfo.resolution;
  const regions = tileRegions(o.tiles, width, height);
  if (!regions) throw new SettingsError(`The frame is ${width}×${height} pixels, too small for ${o.tiles} tiles; choose fewer tiles.`);
  const frame = o.frames[0]!;
  const grid = tileGrid(o.tiles, width, height)!;
  const digits = String(o.tiles).length;
  const tileTasks = regions.map((region, i) => {
    const { core, render } = region;
    const label = `tile ${i + 1}/${o.tiles} (x ${core.x}–${core.x + core.width - 1}, y ${core.y}–${core.y + core.height - 1})`;
    return newTask(o.jobId, i, label, {
      type: 'blender',
      frames: [frame],
      outputName: `${o.outputName}_tile${String(i + 1).padStart(digits, '0')}`.slice(0, 100),
      format: o.format,
      ...o.common,
      region: { ...render, frameWidth: width, frameHeight: height },
    }, [o.scene], [], { intermediate: true });
  });
  const merge = newTask(o.jobId, regions.length, `merge ${grid.cols}×${grid.rows} tiles`, {
    type: 'tiles-merge',
    frameWidth: width,
    frameHeight: height,
    tiles: regions.map((r) => r.core),
    frameExt,
    frame,
    outputName: frameFileName(o.outputName, o.format, frame),
  }, [], tileTasks.map((t) => t.id), { inputsFromDependencies: true });
  return [...tileTasks, merge];
}

/** The job's warning for what can differ from a whole render, known at submit (the agents add the scene's own: denoiser, adaptive sampling, compositor). */
export function tiledStillWarning(engine: string): string | null {
  if (engine.startsWith('BLENDER_EEVEE')) return 'Tiles: EEVEE\'s screen-space effects (bloom, ambient occlusion, reflections, depth of field, motion blur) read neighbouring pixels, so the merged frame can differ from a whole render near region edges; render EEVEE stills whole.';
  return null;
}
