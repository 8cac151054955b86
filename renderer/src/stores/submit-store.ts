import { create } from 'zustand';
import type { FileProbe } from '../../../electron/controller/api/contract.js';

/**
 * The file on its way into the submit dialog: what is being done with it now (uploading,
 * reading) and, once the controller has read it, its probe, which the dialog fills itself
 * from. `seq` changes with every new probe, so an open dialog refills when another file is
 * chosen or dropped. `uploaded` says the browser sent the file itself: it arrived alone, without
 * the files beside it that its `//` paths name.
 */
interface SubmitState {
  /** One sentence of what is happening to the file, e.g. "Uploading scene.blend… 40%"; null when idle. */
  preparing: string | null;
  draft: { probe: FileProbe; seq: number; uploaded: boolean } | null;
}

let seq = 0;

export const useSubmitStore = create<SubmitState>(() => ({ preparing: null, draft: null }));

export function setPreparing(preparing: string | null): void {
  useSubmitStore.setState({ preparing });
}

export function setDraft(probe: FileProbe, uploaded = false): void {
  useSubmitStore.setState({ preparing: null, draft: { probe, seq: ++seq, uploaded } });
}

export function clearDraft(): void {
  useSubmitStore.setState({ draft: null });
}
