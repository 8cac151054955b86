import type { FarmhandBridge } from '../../../electron/controller/api/desktop-bridge.js';
import type { ConnectionStatus, FarmClient } from './farm-client.js';

/**
 * FarmClient inside the desktop app: the contract's commands over Electron IPC, through the
 * preload's `window.farmhand`. The controller runs in the app's own main process, so there is
 * no connection to lose: the status is "connected" from the start, once.
 */

/** A failed call: the controller's ApiError code and sentence (errorCode/errorMessage read them). */
export class IpcCallError extends Error {
  override name = 'ApiError';
  constructor(readonly code: string, message: string) {
    super(message);
  }
}

/** The preload's bridge when this page runs in the desktop app, else null (a browser). */
export function desktopBridge(): FarmhandBridge | null {
  return (window as Window & { farmhand?: FarmhandBridge }).farmhand ?? null;
}

export function createIpcFarmClient(bridge: FarmhandBridge): FarmClient {
  const status: ConnectionStatus = { state: 'connected', message: null, generation: 1, address: 'this app (the controller runs inside it)', serverVersion: null };
  const stops = new Set<() => void>();
  const keep = (stop: () => void) => {
    stops.add(stop);
    return () => {
      stops.delete(stop);
      stop();
    };
  };
  return {
    async call(command, params) {
      const reply = await bridge.call(command, params);
      if (reply.ok) return reply.result;
      throw new IpcCallError(reply.error.code, reply.error.message);
    },
    onEvents(listener) {
      return keep(bridge.onEvents(listener));
    },
    onStatus(listener) {
      listener(status);
      return () => undefined;
    },
    close() {
      for (const stop of stops) stop();
      stops.clear();
    },
  };
}
