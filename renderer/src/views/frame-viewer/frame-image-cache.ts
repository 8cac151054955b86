import type { FrameImage } from '../../../../electron/controller/api/contract.js';
import { errorMessage, type FarmClient } from '../../client/farm-client.js';

/**
 * The frame viewer's full frames (frames.image): the one shown and the next few, fetched ahead
 * so the flipbook never waits on the wire, and decoded before they count as ready, so showing
 * one is a swap of an already decoded picture.
 *
 * Bounded on every side: the viewer says what it wants (want() replaces the wish, most wanted
 * first), at most three calls are in flight (one after a large answer: several 8 MB frames at
 * once could pass the 16 MB a WebSocket client may have unsent), and the cache keeps at most
 * MAX_ENTRIES frames and MAX_CHARS of data URLs, dropping the oldest not wanted now. A frame is
 * keyed by its number, the exposure and its task's end time, so a rerendered frame is fetched
 * anew. One cache lives while the viewer is open.
 */
const MAX_ENTRIES = 240;
const MAX_CHARS = 192 * 1024 * 1024;
const CALLS = 3;
const LARGE_ANSWER_CHARS = 2 * 1024 * 1024;

export interface FrameWish {
  frame: number;
  /** Stops; the controller applies it to EXR frames only. */
  exposure: number;
  /** The frame's task's end time, so a rerendered frame is a new entry. */
  stamp: number | null;
}

export type FrameEntry = { status: 'loading' } | { status: 'loaded'; image: FrameImage; width: number; height: number } | { status: 'error'; message: string };

export class FrameImageCache {
  private readonly entries = new Map<string, FrameEntry>();
  private wishes: FrameWish[] = [];
  private calls = 0;
  private lastLarge = false;
  private chars = 0;
  private closed = false;
  private readonly listeners = new Set<() => void>();
  /** Changes whenever an entry does (for useSyncExternalStore). */
  version = 0;

  constructor(private readonly client: FarmClient, private readonly jobId: string) {}

  get(wish: FrameWish): FrameEntry | undefined {
    return this.entries.get(keyOf(wish));
  }

  /** The frames to have, most wanted first; replaces the previous wish. */
  want(wishes: FrameWish[]): void {
    this.wishes = wishes;
    this.pump();
  }

  /** Forgets a failed frame so the next want() asks again. */
  retry(wish: FrameWish): void {
    if (this.entries.get(keyOf(wish))?.status === 'error') this.entries.delete(keyOf(wish));
    this.pump();
  }

  subscribe = (listener: () => void): (() => void) => {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  };

  getVersion = (): number => this.version;

  close(): void {
    this.closed = true;
    this.entries.clear();
    this.listeners.clear();
  }

  private pump(): void {
    while (!this.closed && this.calls < (this.lastLarge ? 1 : CALLS)) {
      const next = this.wishes.find((w) => !this.entries.has(keyOf(w)));
      if (!next) return;
      void this.fetch(next);
    }
  }

  private async fetch(wish: FrameWish): Promise<void> {
    const key = keyOf(wish);
    this.calls++;
    this.set(key, { status: 'loading' });
    let entry: FrameEntry;
    try {
      const image = await this.client.call('frames.image', { jobId: this.jobId, frame: wish.frame, exposure: wish.exposure });
      this.lastLarge = image.image.length > LARGE_ANSWER_CHARS;
      const size = await decoded(image.image);
      entry = { status: 'loaded', image, ...size };
    } catch (error) {
      entry = { status: 'error', message: errorMessage(error) };
    } finally {
      this.calls--;
    }
    if (this.closed) return;
    this.set(key, entry);
    this.evict();
    this.pump();
  }

  private set(key: string, entry: FrameEntry): void {
    const old = this.entries.get(key);
    if (old?.status === 'loaded') this.chars -= old.image.image.length;
    this.entries.delete(key);
    this.entries.set(key, entry);
    if (entry.status === 'loaded') this.chars += entry.image.image.length;
    this.version++;
    for (const listener of this.listeners) listener();
  }

  private evict(): void {
    const wanted = new Set(this.wishes.map(keyOf));
    for (const [key, entry] of this.entries) {
      if (this.entries.size <= MAX_ENTRIES && this.chars <= MAX_CHARS) return;
      if (wanted.has(key) || entry.status === 'loading') continue;
      if (entry.status === 'loaded') this.chars -= entry.image.image.length;
      this.entries.delete(key);
    }
  }
}

function keyOf(wish: FrameWish): string {
  return `${wish.frame} ${wish.exposure} ${wish.stamp ?? ''}`;
}

/** Decodes the picture before it is shown (so a flipbook swap costs no decode), and reads its size. */
async function decoded(src: string): Promise<{ width: number; height: number }> {
  const image = new Image();
  image.src = src;
  try {
    await image.decode();
  } catch {
    throw new Error('The browser could not decode this frame; the file may be damaged: rerender its task.');
  }
  return { width: image.naturalWidth, height: image.naturalHeight };
}
