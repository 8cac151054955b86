/**
 * Whether a file dropped on the window can become a job, judged by its name before anything
 * is uploaded: a browser would otherwise send a whole unsupported file just to be told so.
 * The controller still reads the file itself (files.probe) and has the last word.
 */
const VIDEO_EXTENSIONS = ['mp4', 'm4v', 'mov', 'mkv', 'webm', 'avi', 'mxf', 'mpg', 'mpeg', 'ts', 'mts', 'm2ts', 'flv', 'wmv', 'ogv', 'dv', '3gp', 'y4m', 'gif'];

export type DroppableKind = 'scene' | 'video';

export function droppableKind(name: string): DroppableKind | null {
  const ext = /\.([A-Za-z0-9]+)$/.exec(name)?.[1]?.toLowerCase();
  if (!ext) return null;
  if (ext === 'blend' || /^blend\d+$/.test(ext)) return 'scene';
  return VIDEO_EXTENSIONS.includes(ext) ? 'video' : null;
}

/** The sentence for a file that cannot become a job. */
export function notDroppableMessage(name: string): string {
  return `"${name}" is not a Blender scene or a video, so it cannot be submitted; drop a .blend file or a video (MP4, MOV, MKV…).`;
}

/** What the file picker offers. */
export const DROPPABLE_ACCEPT = ['.blend', ...VIDEO_EXTENSIONS.map((e) => `.${e}`), 'video/*'].join(',');
