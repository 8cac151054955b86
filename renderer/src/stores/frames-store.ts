import { create } from 'zustand';
import type { FrameThumbnail, JobFrame } from '../../../electron/controller/api/contract.js';
import type { FrameThumb } from '../model/frame-cells.js';

/**
 * The frame grid's data: each open render job's frames (frames.list, loaded by
 * frame-loader.ts) and the thumbnails fetched so far. Thumbnails are kept for at most
 * MAX_THUMBNAILS frames in all (~4 KB each as a data URL), oldest dropped first: scrolling
 * through a 10,000-frame job must not grow the page without bound. A dropped one is simply
 * asked for again (the controller has it cached).
 */
const MAX_THUMBNAILS = 2000;

export interface JobFrames {
  frames: JobFrame[];
  status: 'loading' | 'loaded' | 'error';
  error: string | null;
  /** The connection generation it was loaded in; an older one is reloaded. */
  generation: number;
  /** Why thumbnails cannot be had for this job (e.g. no ffmpeg on the controller); no more are asked for then. */
  thumbnailsError: string | null;
}

interface FramesState {
  byJob: Record<string, JobFrames>;
  /** jobId → frame number → thumbnail or the reason there is none. */
  thumbs: Record<string, Record<number, FrameThumb>>;
}

export const useFramesStore = create<FramesState>(() => ({ byJob: {}, thumbs: {} }));

/** Insertion order of stored thumbnails (`jobId frame`), for dropping the oldest. */
const kept = new Set<string>();

export function markFramesLoading(jobId: string, generation: number): void {
  useFramesStore.setState((s) => ({ byJob: { ...s.byJob, [jobId]: { frames: s.byJob[jobId]?.frames ?? [], status: 'loading', error: null, generation, thumbnailsError: null } } }));
}

export function setLoadedFrames(jobId: string, frames: JobFrame[], generation: number): void {
  useFramesStore.setState((s) => ({ byJob: { ...s.byJob, [jobId]: { frames, status: 'loaded', error: null, generation, thumbnailsError: null } } }));
}

export function setFramesLoadError(jobId: string, error: string, generation: number): void {
  useFramesStore.setState((s) => ({ byJob: { ...s.byJob, [jobId]: { frames: s.byJob[jobId]?.frames ?? [], status: 'error', error, generation, thumbnailsError: null } } }));
}

export function setThumbnailsError(jobId: string, message: string): void {
  useFramesStore.setState((s) => (s.byJob[jobId] ? { byJob: { ...s.byJob, [jobId]: { ...s.byJob[jobId]!, thumbnailsError: message } } } : s));
}

/** Stores one answer of frames.thumbnails; `stamps` are the tasks' end times when asked. */
export function setThumbnails(jobId: string, thumbnails: FrameThumbnail[], stamps: ReadonlyMap<number, number | null>): void {
  if (thumbnails.length === 0) return;
  useFramesStore.setState((s) => {
    const thumbs = { ...s.thumbs, [jobId]: { ...s.thumbs[jobId] } };
    for (const t of thumbnails) {
      thumbs[jobId]![t.frame] = { image: t.image, problem: t.problem?.message ?? null, stamp: stamps.get(t.frame) ?? null };
      const key = `${jobId} ${t.frame}`;
      kept.delete(key);
      kept.add(key);
    }
    for (const key of kept) {
      if (kept.size <= MAX_THUMBNAILS) break;
      kept.delete(key);
      const [oldJob, frame] = key.split(' ') as [string, string];
      if (thumbs[oldJob]) {
        if (thumbs[oldJob] === s.thumbs[oldJob]) thumbs[oldJob] = { ...thumbs[oldJob] };
        delete thumbs[oldJob]![Number(frame)];
      }
    }
    return { thumbs };
  });
}

export function forgetJobFrames(jobIds: string[]): void {
  if (jobIds.length === 0) return;
  useFramesStore.setState((s) => {
    const byJob = { ...s.byJob };
    const thumbs = { ...s.thumbs };
    for (const id of jobIds) {
      delete byJob[id];
      delete thumbs[id];
    }
    for (const key of kept) if (jobIds.includes(key.slice(0, key.indexOf(' ')))) kept.delete(key);
    return { byJob, thumbs };
  });
}
