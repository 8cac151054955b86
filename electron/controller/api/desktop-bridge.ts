import type { ApiCommand, ApiErrorCode, ApiEvent, ApiParams, ApiResult } from './contract.js';

/**
 * The desktop app's `window.farmhand`: the API contract carried over Electron IPC, plus the few
 * native things a browser page cannot do. The preload (electron/preload) implements it, the
 * main process (electron/main) answers its channels, and the renderer's IPC transport
 * (renderer/src/client/ipc-farm-client.ts) imports its type, so the three cannot drift. It lives
 * beside the contract because it is the contract's IPC form; it imports nothing from Electron.
 */

/** What a call resolves to. It never rejects for an ApiError: an Error crossing contextBridge keeps only its message, and the UI needs the code too. */
export type ApiReply<C extends ApiCommand> = { ok: true; result: ApiResult<C> } | { ok: false; error: { code: ApiErrorCode; message: string } };

export interface FarmhandBridge {
  /** The contract's command names, as the main process answers them. */
  readonly commands: readonly ApiCommand[];
  /** Runs one contract command in the main process (the params are checked there against the contract's schema). */
  call<C extends ApiCommand>(command: C, params: ApiParams<C>): Promise<ApiReply<C>>;
  /** Each batch of the controller's events (about ten a second at most); returns the unsubscribe. */
  onEvents(listener: (events: ApiEvent[]) => void): () => void;
  /** The path on disk of a dropped or picked file (Electron's webUtils.getPathForFile); '' when it has none. */
  pathForFile(file: File): string;
  /** Opens a folder in the system's file manager; resolves null when it opened, else why not (one sentence). */
  openFolder(path: string): Promise<string | null>;
  /**
   * Files the app was asked to open (command line, file association, a second launch, macOS
   * open-file): each absolute path goes to the same submit flow as a drop. Files that arrived
   * before the first listener are delivered to it. Returns the unsubscribe.
   */
  onOpenFile(listener: (path: string) => void): () => void;
}

/** The IPC channel of a command: `farmhand:jobs.list`. */
export const commandChannel = (command: string): string => `farmhand:${command}`;

/** Channels besides the commands' (main → renderer ones are sent, renderer → main ones invoked). */
export const BridgeChannel = {
  events: 'farmhand:events',
  openFile: 'farmhand:open-file',
  /** The renderer listens for opened files now: the main process sends those that waited. */
  openFileReady: 'farmhand:open-file-ready',
  openFolder: 'farmhand:open-folder',
} as const;

/** How the main process hands the command names to the sandboxed preload (webPreferences.additionalArguments). */
export const COMMANDS_ARGUMENT = '--farmhand-api-commands=';
