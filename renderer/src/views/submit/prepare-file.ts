import type { FarmClient } from '../../client/farm-client.js';
import { errorMessage } from '../../client/farm-client.js';
import { desktopFiles } from '../../client/desktop-files.js';
import { droppableKind, notDroppableMessage } from '../../model/droppable-file.js';
import { formatPercent } from '../../model/format.js';
import { pushNotice } from '../../stores/notices-store.js';
import { setDraft, setFileProblem, setPreparing, useSubmitStore } from '../../stores/submit-store.js';
import { setSubmitOpen, useUiStore } from '../../stores/ui-store.js';

/**
 * The way in for a file, whichever door it came through (a drop anywhere on the window, the
 * dialog's "Choose file…", a file the desktop app was asked to open): get a path on the
 * controller's machine (the desktop app knows it; a browser uploads the file), have the
 * controller read it (files.probe), and open the submit dialog filled in from what it found.
 * Any failure is one sentence: in the dialog when it is open (a notice would sit behind it,
 * and the dialog would stay ready to submit the file chosen before), else a notice; nothing
 * half-done is left behind in the dialog.
 */

/** A File from a drop or the picker. */
export async function prepareFile(client: FarmClient, file: File): Promise<void> {
  if (useSubmitStore.getState().preparing) return pushNotice('warn', `Still busy with the previous file; drop "${file.name}" again when it is done.`);
  const desktop = desktopFiles();
  if (desktop) {
    const path = desktop.pathForFile(file);
    if (!path) return fileProblem(`"${file.name}" has no place on disk (it came from another program's memory); save it to a folder first, then drop the saved file.`);
    return preparePath(client, path);
  }
  if (!droppableKind(file.name)) return fileProblem(notDroppableMessage(file.name));
  if (!client.upload) return fileProblem(`This window cannot send "${file.name}" to the controller; copy it to the controller's machine and type its path in the submit dialog.`);
  try {
    setPreparing(`Uploading ${file.name}… 0%`);
    const { path } = await client.upload(file, (sent, total) => setPreparing(`Uploading ${file.name}… ${formatPercent(total > 0 ? sent / total : 0)}`));
    await probe(client, path, file.name, true);
  } catch (error) {
    fileProblem(errorMessage(error));
  }
}

/** A path on the controller's machine (the desktop app's open-file requests). */
export async function preparePath(client: FarmClient, path: string): Promise<void> {
  try {
    await probe(client, path, path.split(/[\\/]/).pop() || path);
  } catch (error) {
    fileProblem(errorMessage(error));
  }
}

/** Where a file's problem is told: in the open submit dialog, or as a notice. */
function fileProblem(message: string): void {
  if (useUiStore.getState().submitOpen) setFileProblem(message);
  else {
    setPreparing(null);
    pushNotice('error', message);
  }
}

async function probe(client: FarmClient, path: string, name: string, uploaded = false): Promise<void> {
  setPreparing(`Reading ${name}…`);
  setDraft(await client.call('files.probe', { path }), uploaded);
  setSubmitOpen(true);
}
