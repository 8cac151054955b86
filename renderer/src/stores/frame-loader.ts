import type { JobFrame, MAX_THUMBNAILS_PER_CALL } from '../../../electron/controller/api/contract.js';
import type { FarmClient } from '../client/farm-client.js';
import { errorMessage } from '../client/farm-client.js';
import { fetchAllPages } from '../client/fetch-all-pages.js';
import { useConnectionStore } from './connection-store.js';
import { markFramesLoading, setFramesLoadError, setLoadedFrames, setThumbnails, setThumbnailsError, useFramesStore } from './frames-store.js';

/**
 * Fetches what the frame grid shows: a job's frames (frames.list, 10,000 a page) when its
 * detail opens, and thumbnails of the frames in view only.
 *
 * No request storms: the grid says, on every render, which visible frames lack a thumbnail
 * (wantThumbnails replaces the previous wish, so frames scrolled past are not fetched); the
 * wish is read once per animation frame, sent in calls of at most the contract's cap, with at
 * most two calls in flight, and a frame already being fetched is never asked for twice.
 */
/** frames.list's largest page (the contract's bound): a 10,000-frame render in one call. */
const PAGE = 10_000;
/** A job has at most this many pages fetched (100 million frames): a bound, not a real limit. */
const MAX_PAGES = 10_000;
/** The contract's cap (a type-only import: the renderer loads no controller code), checked at compile time. */
const PER_CALL: typeof MAX_THUMBNAILS_PER_CALL = 24;
const CALLS_IN_FLIGHT = 2;

export function ensureJobFrames(client: FarmClient, jobId: string): void {
  const generation = useConnectionStore.getState().generation;
  if (generation === 0) return;
  const have = useFramesStore.getState().byJob[jobId];
  if (have && have.generation === generation && have.status !== 'error') return;
  markFramesLoading(jobId, generation);
  void loadFrames(client, jobId, generation);
}

async function loadFrames(client: FarmClient, jobId: string, generation: number): Promise<void> {
  try {
    const frames: JobFrame[] = await fetchAllPages((offset, limit) => client.call('frames.list', { jobId, offset, limit }), { pageSize: PAGE, maxPages: MAX_PAGES });
    setLoadedFrames(jobId, frames, generation);
  } catch (error) {
    setFramesLoadError(jobId, errorMessage(error), generation);
  }
}

/** A frame the grid wants a thumbnail of, with its task's end time (see FrameThumb.stamp). */
export interface ThumbnailWish {
  frame: number;
  stamp: number | null;
}

const wishes = new Map<string, { client: FarmClient; frames: ThumbnailWish[] }>();
const inFlight = new Set<string>();
let calls = 0;
let scheduled = false;

/** The frames of `jobId` in view that lack a thumbnail, in the order to fetch them; [] when the grid closes. */
export function wantThumbnails(client: FarmClient, jobId: string, frames: ThumbnailWish[]): void {
  if (frames.length === 0) wishes.delete(jobId);
  else wishes.set(jobId, { client, frames });
  if (scheduled || frames.length === 0) return;
  scheduled = true;
  const run = () => {
    scheduled = false;
    pump();
  };
  if (typeof document !== 'undefined' && document.hidden) setTimeout(run, 500);
  else requestAnimationFrame(run);
}

function pump(): void {
  for (const [jobId, wish] of wishes) {
    while (calls < CALLS_IN_FLIGHT) {
      if (useFramesStore.getState().byJob[jobId]?.thumbnailsError) break;
      const batch = wish.frames.filter((w) => !inFlight.has(`${jobId} ${w.frame}`)).slice(0, PER_CALL);
      if (batch.length === 0) break;
      void fetchBatch(wish.client, jobId, batch);
    }
  }
}

async function fetchBatch(client: FarmClient, jobId: string, batch: ThumbnailWish[]): Promise<void> {
  calls++;
  const keys = batch.map((w) => `${jobId} ${w.frame}`);
  for (const key of keys) inFlight.add(key);
  try {
    const result = await client.call('frames.thumbnails', { jobId, frames: batch.map((w) => w.frame) });
    setThumbnails(jobId, result.thumbnails, new Map(batch.map((w) => [w.frame, w.stamp])));
  } catch (error) {
    setThumbnailsError(jobId, errorMessage(error));
  } finally {
    for (const key of keys) inFlight.delete(key);
    calls--;
    // What is still wanted is re-read from the grid's next wish; anything answered is no longer in it.
    const wish = wishes.get(jobId);
    if (wish) wish.frames = wish.frames.filter((w) => !keys.includes(`${jobId} ${w.frame}`));
    pump();
  }
}
