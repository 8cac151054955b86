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
  /**
   * Why the file chosen last could not be used, while the dialog is open: shown in the dialog
   * (a notice would sit behind it), and the file chosen before it is cleared. `seq` changes with
   * every problem, so the same sentence twice still clears what was typed meanwhile.
   */
  fileProblem: { message: string; seq: number } | null;
}

let seq = 0;

export const useSubmitStore = create<SubmitState>(() => ({ preparing: null, draft: null, fileProblem: null }));

/** A new file on its way (`preparing` set) forgets the last one's problem. */
export function setPreparing(preparing: string | null): void {
  useSubmitStore.setState(preparing ? { preparing, fileProblem: null } : { preparing });
}

export function setDraft(probe: FileProbe, uploaded = false): void {
  useSubmitStore.setState({ preparing: null, draft: { probe, seq: ++seq, uploaded }, fileProblem: null });
}

export function clearDraft(): void {
  useSubmitStore.setState({ draft: null, fileProblem: null });
}

/** The chosen file cannot be used: the dialog says why, and the file chosen before it is gone. */
export function setFileProblem(message: string): void {
  useSubmitStore.setState({ preparing: null, draft: null, fileProblem: { message, seq: ++seq } });
}

export function clearFileProblem(): void {
  if (useSubmitStore.getState().fileProblem) useSubmitStore.setState({ fileProblem: null });
}
