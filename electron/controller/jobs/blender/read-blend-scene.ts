import { dirname, resolve } from 'node:path';
import { readBlendBytes, type BlendBytesOptions } from './blend-bytes.js';
import type { BlendReads } from './blend-reads.js';
import { BlendReadError, parseBlendFile, type BlendBlock, type BlendFile } from './blend-file.js';
import { viewFilesOf } from './blend-views.js';
import { fileVersionOf } from './blend-file-version.js';
import { cyclesDeviceOf } from './blend-cycles-device.js';
import { scriptsOf } from './blend-scripts.js';
import { readLinkedFiles, type LinkedFiles } from './blend-linked-files.js';
import { unbakedSimulationsOf } from './blend-simulations.js';
import type { SceneInfo } from '../../api/views.js';

/**
 * A scene's settings (the same SceneInfo the Blender probe prints) read straight from the
 * .blend: the active scene is the one the file's global block names, as in Blender's own
 * background mode. Files above this size go to Blender, which reads them without holding the
 * whole file in this process.
 */

const MAX_NATIVE_BYTES = 256 * 1024 * 1024;

/** `ImageFormatData.imtype` → Blender's Python enum name (DNA_scene_types.h, R_IMF_IMTYPE_*). */
const IMAGE_TYPES: Record<number, string> = {
  0: 'TARGA', 1: 'IRIS', 4: 'JPEG', 14: 'TARGA_RAW', 15: 'AVI_RAW', 16: 'AVI_JPEG', 17: 'PNG', 20: 'BMP',
  21: 'HDR', 22: 'TIFF', 23: 'OPEN_EXR', 24: 'FFMPEG', 26: 'CINEON', 27: 'DPX', 28: 'OPEN_EXR_MULTILAYER',
  29: 'DDS', 30: 'JPEG2000', 35: 'WEBP',
};

/** `reads`: a submit's shared reads (blend-reads.ts), so the dependency scan does not read the same files again. */
export async function readBlendScene(path: string, size: number, o: BlendBytesOptions & { reads?: BlendReads } = {}): Promise<SceneInfo> {
  if (size > MAX_NATIVE_BYTES) throw new BlendReadError('the file is large; Blender reads it instead');
  const { reads, ...bytes } = o;
  const blend = reads ? await reads(resolve(path)) : parseBlendFile(await readBlendBytes(path, bytes));
  return sceneInfoOf(blend, path, await readLinkedFiles(blend, resolve(path), { ...bytes, ...(reads ? { reads } : {}) }));
}

/** `linked`: the libraries the shot links, whose reached parts add drivers and linked objects' simulations. */
export function sceneInfoOf(blend: BlendFile, path: string, linked?: LinkedFiles): SceneInfo {
  const scenes = blend.blocks.filter((b) => b.code === 'SC' && b.struct?.type === 'Scene');
  if (scenes.length === 0) throw new BlendReadError('the file has no scene');
  const global = blend.blocks.find((b) => b.code === 'GLOB');
  const current = global ? blend.pointer(global, 'curscene') : undefined;
  const scene = (current !== undefined ? blend.byAddress.get(current) : undefined) ?? scenes[0]!;
  if (!scenes.includes(scene)) throw new BlendReadError('the file\'s active scene is not a scene block');

  const need = (value: number | undefined, what: string) => {
    if (value === undefined || !Number.isFinite(value)) throw new BlendReadError(`the scene has no readable ${what}`);
    return value;
  };
  const int = (field: string) => need(blend.int(scene, field), field);
  const percent = int('r.size');
  const fpsBase = need(blend.float(scene, 'r.frs_sec_base'), 'r.frs_sec_base');
  const imtype = int('r.im_format.imtype') & 0xff;
  const cameraAddress = blend.pointer(scene, 'camera');
  const camera = cameraAddress ? blend.byAddress.get(cameraAddress) : undefined;
  const viewFiles = viewFilesOf(blend, scene);
  const cyclesDevice = cyclesDeviceOf(blend, scene);
  const scripts = scriptsOf(blend, linked?.files);
  const simulations = unbakedSimulationsOf({ blend, path: resolve(path) }, scene, linked?.libraryOf);
  return {
    frameStart: int('r.sfra'),
    frameEnd: int('r.efra'),
    frameStep: int('r.frame_step'),
    fps: int('r.frs_sec') / fpsBase,
    resolution: [Math.floor((int('r.xsch') * percent) / 100), Math.floor((int('r.ysch') * percent) / 100)],
    engine: blend.string(scene, 'r.engine') ?? '',
    fileFormat: IMAGE_TYPES[imtype] ?? `UNKNOWN_${imtype}`,
    outputPath: absolutePath(blend.string(scene, 'r.pic') ?? '', resolve(path)),
    camera: camera ? idName(blend, camera) : null,
    // Blender writes IDs in its own list order, which is the order bpy.data shows.
    scenes: scenes.map((s) => idName(blend, s) ?? ''),
    ...(viewFiles ? { viewFiles } : {}),
    fileVersion: fileVersionOf(blend),
    ...(cyclesDevice ? { cyclesDevice } : {}),
    ...(scripts ? { scripts } : {}),
    ...(simulations ? { simulations } : {}),
  };
}

/** An ID's name without its two-letter type prefix (`OBCamera` → `Camera`). */
function idName(blend: BlendFile, block: BlendBlock): string | null {
  const name = blend.string(block, 'id.name');
  return name === undefined ? null : name.slice(2);
}

/** bpy.path.abspath: `//` is the folder of the .blend. */
function absolutePath(value: string, blendPath: string): string {
  return value.startsWith('//') ? `${dirname(blendPath)}/${value.slice(2)}` : value;
}
