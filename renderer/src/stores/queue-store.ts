import { create } from 'zustand';
import type { FarmClient } from '../client/farm-client.js';
import { errorMessage } from '../client/farm-client.js';
import { pushNotice } from './notices-store.js';

/**
 * Whether the whole queue is on hold (farm.pauseQueue, from this window, the tray or another
 * client). The controller sends no event for it, only a notice, so the state is read with
 * farm.status on every (re)connection, after each pause or resume, and whenever notices arrive
 * (the hold and release each send one). Answers are applied in the order their requests were
 * sent, so a slow status read never undoes a newer pause.
 */
interface QueueState {
  /** null until the first answer. */
  paused: boolean | null;
  /** A pause or resume is on its way: the button waits for it. */
  changing: boolean;
}

export const useQueueStore = create<QueueState>(() => ({ paused: null, changing: false }));

let sent = 0;
let applied = 0;
let reading = false;
let readAgain = false;

function apply(request: number, paused: boolean): void {
  if (request < applied) return;
  applied = request;
  useQueueStore.setState({ paused });
}

/** Reads farm.status; while a read is out, further asks are folded into one more read after it. */
export async function refreshQueueState(client: FarmClient): Promise<void> {
  if (reading) {
    readAgain = true;
    return;
  }
  reading = true;
  try {
    // Bounded: each pass answers every ask made before it started.
    for (let pass = 0; pass < 10; pass++) {
      readAgain = false;
      const request = ++sent;
      try {
        apply(request, (await client.call('farm.status', {})).queuePaused);
      } catch {
        // Not connected, or the controller failed: the next (re)connection reads it again,
        // unless that already asked while this read was out.
      }
      if (!readAgain) return;
    }
  } finally {
    reading = false;
  }
}

/** Pauses or resumes the whole queue; a refusal becomes a notice. */
export async function setQueuePaused(client: FarmClient, paused: boolean): Promise<void> {
  const request = ++sent;
  useQueueStore.setState({ changing: true });
  try {
    const result = paused ? await client.call('farm.pauseQueue', {}) : await client.call('farm.resumeQueue', {});
    apply(request, result.queuePaused);
  } catch (error) {
    pushNotice('error', `The queue could not be ${paused ? 'paused' : 'resumed'}: ${errorMessage(error)}`);
    void refreshQueueState(client);
  } finally {
    useQueueStore.setState({ changing: false });
  }
}
