import type { ApiCommand } from '../controller/api/contract.js';
import { BridgeChannel, COMMANDS_ARGUMENT, commandChannel, type FarmhandBridge } from '../controller/api/desktop-bridge.js';

/**
 * Builds `window.farmhand` from the few Electron pieces a sandboxed preload has, passed in
 * (so this is tested without Electron). The command names come from the main process, which
 * reads them off the contract: a new command needs no edit here. Anything not in that list is
 * refused before it reaches IPC, and listeners never see Electron's event object (it would
 * hand the page `sender`, a way back into IPC).
 */

export interface PreloadPorts {
  invoke(channel: string, ...args: unknown[]): Promise<unknown>;
  send(channel: string, ...args: unknown[]): void;
  on(channel: string, listener: (event: unknown, ...args: unknown[]) => void): void;
  off(channel: string, listener: (event: unknown, ...args: unknown[]) => void): void;
  getPathForFile(file: File): string;
}

export function createFarmhandBridge(ports: PreloadPorts, commands: readonly string[]): FarmhandBridge {
  const known = new Set(commands);
  const subscribe = <T>(channel: string, listener: (value: T) => void): (() => void) => {
    const wrapped = (_event: unknown, value: unknown) => listener(value as T);
    ports.on(channel, wrapped);
    return () => ports.off(channel, wrapped);
  };
  return {
    commands: [...commands] as ApiCommand[],
    async call(command, params) {
      if (typeof command !== 'string' || !known.has(command)) {
        return { ok: false, error: { code: 'unknown-command', message: `There is no command "${String(command).slice(0, 64)}"; use one of ${commands.join(', ')}.` } };
      }
      return (await ports.invoke(commandChannel(command), params)) as never;
    },
    onEvents(listener) {
      return subscribe(BridgeChannel.events, listener);
    },
    pathForFile(file) {
      try {
        return ports.getPathForFile(file);
      } catch {
        return ''; // not a File (or one made by the page): it has no path
      }
    },
    async openFolder(path) {
      if (typeof path !== 'string' || path === '') return 'No folder was given to open.';
      return (await ports.invoke(BridgeChannel.openFolder, path)) as string | null;
    },
    onOpenFile(listener) {
      const stop = subscribe<string>(BridgeChannel.openFile, listener);
      ports.send(BridgeChannel.openFileReady);
      return stop;
    },
  };
}

/** The command names the main process put on the renderer's command line (`--farmhand-api-commands=a,b`). */
export function commandsFromArgv(argv: readonly string[]): string[] {
  const entry = argv.find((a) => a.startsWith(COMMANDS_ARGUMENT));
  if (!entry) return [];
  return entry.slice(COMMANDS_ARGUMENT.length).split(',').filter((c) => /^[a-z]+\.[A-Za-z]+$/.test(c));
}
