/**
 * A task's label from the frames it covers, as a person says it: "frame 133" for one frame,
 * "frames 1-10" (or a frame list, `1-9x2,12`) for more, never "frames 133-133".
 */
export function framesLabel(list: string, count: number): string {
  return count === 1 ? `frame ${list}` : `frames ${list}`;
}

/** The label of a run of `count` frames from `first` on (a transcode chunk). */
export function frameRunLabel(first: number, count: number): string {
  return framesLabel(count === 1 ? String(first) : `${first}-${first + count - 1}`, count);
}
