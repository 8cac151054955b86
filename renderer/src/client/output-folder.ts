import { desktopFolderOpener, type FolderOpener } from './desktop-files.js';

/**
 * "Open output folder" wherever the page runs. The desktop app is the controller, so the
 * folder is on this machine and opens in the file manager. A browser cannot open a folder,
 * and the folder is on the controller's machine anyway: the page copies its path instead and
 * says where it is.
 */
export interface FolderHost {
  /** The desktop app's opener; null in a browser. */
  openFolder: FolderOpener | null;
  copyText(text: string): Promise<void>;
}

/** What to tell the user; null when there is nothing to say (the folder opened). */
export type FolderOutcome = { level: 'info' | 'warn' | 'error'; text: string } | null;

export async function openOutputFolder(outputDir: string, host: FolderHost): Promise<FolderOutcome> {
  if (host.openFolder) {
    try {
      const problem = await host.openFolder(outputDir);
      return problem === null ? null : { level: 'error', text: problem };
    } catch {
      // The bridge itself failed (not a refusal, which comes back as a sentence).
      return { level: 'error', text: `The folder ${outputDir} could not be opened from this window; open it from the file manager.` };
    }
  }
  try {
    await host.copyText(outputDir);
    return { level: 'info', text: `Copied ${outputDir} — the folder is on the controller's machine.` };
  } catch {
    return { level: 'warn', text: `The output folder is ${outputDir} on the controller's machine; this page may not copy it, so select it in the job's details and copy it from there.` };
  }
}

/** The host this page runs in: the preload's opener in the desktop app, else the Clipboard API. */
export function pageFolderHost(): FolderHost {
  return {
    openFolder: desktopFolderOpener(),
    copyText: async (text) => {
      if (!navigator.clipboard) throw new Error('The Clipboard API is not available on this page.');
      await navigator.clipboard.writeText(text);
    },
  };
}
