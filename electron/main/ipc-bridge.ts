import { ipcMain, shell, type IpcMainEvent, type IpcMainInvokeEvent, type WebContents } from 'electron';
import { stat } from 'node:fs/promises';
import { isAbsolute } from 'node:path';
import { callCommand } from '../controller/api/api-dispatch.js';
import { ApiEventBatcher } from '../controller/api/api-event-batcher.js';
import { ApiCommands, ApiError, type ApiCommand, type ApiEvent, type FarmApi } from '../controller/api/contract.js';
import { BridgeChannel, commandChannel, type ApiReply } from '../controller/api/desktop-bridge.js';
import { isAppUrl } from './app-page.js';
import type { OpenFileQueue } from './open-files.js';

/**
 * The main-process side of `window.farmhand`: one handler per contract command (channel
 * `farmhand:<command>`), each checking who asks (the app's own top-level page in the app's
 * window, nothing else) and then going through the same door as the WebSocket transport
 * (api-dispatch: schema check, service call, one-sentence ApiError). Events go to the page in
 * batches, as over WebSocket.
 */

export interface IpcBridgeOptions {
  api: FarmApi;
  onEvent(listener: (event: ApiEvent) => void): () => void;
  /** The window's page, the only one that may call (null while there is no window). */
  page(): WebContents | null;
  openFiles: OpenFileQueue;
}

export function startIpcBridge(o: IpcBridgeOptions): { close(): void } {
  const trusted = (event: IpcMainInvokeEvent | IpcMainEvent): boolean => {
    const frame = event.senderFrame;
    const page = o.page();
    return page !== null && !page.isDestroyed() && event.sender.id === page.id && frame !== null && frame.parent === null && isAppUrl(frame.url);
  };
  const refused = { ok: false, error: { code: 'unauthorized', message: 'Only the Farmhand window may use the farm; reload it.' } } as const;

  const commands = Object.keys(ApiCommands) as ApiCommand[];
  for (const command of commands) {
    ipcMain.handle(commandChannel(command), async (event, params: unknown): Promise<ApiReply<typeof command>> => {
      if (!trusted(event)) return refused;
      try {
        return { ok: true, result: (await callCommand(o.api, command, params)) as never };
      } catch (error) {
        const known = error instanceof ApiError ? error : new ApiError('internal', 'The controller failed to carry out the request; see its log and try again.');
        return { ok: false, error: { code: known.code, message: known.message } };
      }
    });
  }

  ipcMain.handle(BridgeChannel.openFolder, async (event, path: unknown): Promise<string | null> => {
    if (!trusted(event)) return refused.error.message;
    // Only folders: shell.openPath would also run a file with its default application.
    if (typeof path !== 'string' || !isAbsolute(path)) return 'Give the folder as an absolute path.';
    const info = await stat(path).catch(() => null);
    if (!info) return `The folder ${path} does not exist (yet): it is made when the first output arrives.`;
    if (!info.isDirectory()) return `${path} is not a folder; give the folder that holds it.`;
    const problem = await shell.openPath(path);
    return problem === '' ? null : `The folder could not be opened: ${problem}`;
  });

  // Files opened before the page listens wait in the queue; a reload or crash makes them wait again.
  const watched = new WeakSet<WebContents>();
  const onOpenFileReady = (event: IpcMainEvent) => {
    if (!trusted(event)) return;
    const contents = event.sender;
    if (!watched.has(contents)) {
      watched.add(contents);
      const hold = () => o.openFiles.notReady();
      contents.on('did-start-loading', hold);
      contents.on('render-process-gone', hold);
      contents.once('destroyed', hold);
    }
    o.openFiles.ready((path) => contents.send(BridgeChannel.openFile, path));
  };
  ipcMain.on(BridgeChannel.openFileReady, onOpenFileReady);

  const batcher = new ApiEventBatcher({
    onBatch: (events) => {
      const page = o.page();
      if (page && !page.isDestroyed()) page.send(BridgeChannel.events, events);
    },
  });
  const stopEvents = o.onEvent((event) => batcher.push(event));

  return {
    close() {
      stopEvents();
      batcher.close();
      for (const command of commands) ipcMain.removeHandler(commandChannel(command));
      ipcMain.removeHandler(BridgeChannel.openFolder);
      ipcMain.off(BridgeChannel.openFileReady, onOpenFileReady);
    },
  };
}
