import type { BlendBlock, BlendFile } from './blend-file.js';

/**
 * Which files a stereo or multi-view scene saves per frame, read from its RenderData: Blender
 * 3.4.1 (measured) writes one file per rendered view, `<name>_0001<suffix>.<ext>`, when
 * multi-view is on (`scemode` bit R_MULTIVIEW), two views or more are rendered and the output's
 * Views Format is Individual; otherwise (Stereo 3D, or a multi-view EXR) one file per frame.
 * Rendered views: in Stereo 3D mode `left` and `right`, in Multi-View mode every view, each
 * unless switched off (`viewflag` SCE_VIEW_DISABLE).
 */

/** RenderData.scemode: multi-view rendering is on (DNA_scene_types.h; bit 21, measured). */
const R_MULTIVIEW = 1 << 21;
/** RenderData.views_format */
const SCE_VIEWS_FORMAT_MULTIVIEW = 1;
/** ImageFormatData.views_format */
const R_IMF_VIEWS_INDIVIDUAL = 0;
/** SceneRenderView.viewflag */
const SCE_VIEW_DISABLE = 1;
/** A scene has a few views; the walk stops here whatever the file says (a looping list). */
const MAX_VIEWS = 64;

export interface ViewFile {
  name: string;
  suffix: string;
}

/** The views saved to separate files, in the scene's order, or undefined when each frame is one file. */
export function viewFilesOf(blend: BlendFile, scene: BlendBlock): ViewFile[] | undefined {
  const scemode = blend.int(scene, 'r.scemode');
  if (scemode === undefined || (scemode & R_MULTIVIEW) === 0) return undefined;
  if (blend.int(scene, 'r.im_format.views_format') !== R_IMF_VIEWS_INDIVIDUAL) return undefined;
  const multiView = blend.int(scene, 'r.views_format') === SCE_VIEWS_FORMAT_MULTIVIEW;
  const views: ViewFile[] = [];
  let at = blend.pointer(scene, 'r.views.first');
  for (let i = 0; at && i < MAX_VIEWS; i++) {
    const view = blend.byAddress.get(at);
    if (!view || view.struct?.type !== 'SceneRenderView') break;
    const name = blend.string(view, 'name') ?? '';
    const enabled = ((blend.int(view, 'viewflag') ?? 0) & SCE_VIEW_DISABLE) === 0;
    if (enabled && (multiView || name === 'left' || name === 'right')) views.push({ name, suffix: blend.string(view, 'suffix') ?? '' });
    at = blend.pointer(view, 'next');
  }
  // One rendered view is saved as a mono frame, without a suffix (measured).
  return views.length >= 2 ? views : undefined;
}
