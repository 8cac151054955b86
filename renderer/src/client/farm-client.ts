import type { ApiCommand, ApiEvent, ApiParams, ApiResult } from '../../../electron/controller/api/contract.js';

/**
 * The one interface the UI talks to the controller through. Two transports implement it:
 * WebSocket (a browser pointed at `farmhand controller`, websocket-farm-client.ts) and, in the
 * desktop app, Electron IPC through the preload. Commands, parameters, results and events are
 * the API contract's, so a view cannot ask for something the controller does not offer.
 */
export interface FarmClient {
  /** Runs one command; rejects with the controller's ApiError (code + one sentence) or a connection error. */
  call<C extends ApiCommand>(command: C, params: ApiParams<C>): Promise<ApiResult<C>>;
  /** Receives each batch of events the controller pushes; returns the unsubscribe. */
  onEvents(listener: (events: ApiEvent[]) => void): () => void;
  /** Receives the connection's status now and on every change; returns the unsubscribe. */
  onStatus(listener: (status: ConnectionStatus) => void): () => void;
  /**
   * Sends a file to the controller and resolves with its path there. Only transports without
   * file paths have it (a browser); the desktop app gives the dropped file's own path instead.
   */
  upload?(file: File, onProgress?: (sentBytes: number, totalBytes: number) => void): Promise<{ path: string }>;
  close(): void;
}

export type ConnectionState = 'connecting' | 'connected' | 'reconnecting' | 'unauthorised';

export interface ConnectionStatus {
  state: ConnectionState;
  /** Why the connection is not up, one sentence for the user; null when connected. */
  message: string | null;
  /**
   * Counts successful connections. Events missed while disconnected are gone (the controller
   * coalesces them), so views reload what they show whenever this changes.
   */
  generation: number;
  /** Where the controller is, for the settings view (e.g. ws://127.0.0.1:7400/api). */
  address: string;
  serverVersion: string | null;
}

/** The error code of a failed call, if the controller gave one (ApiError), else null. */
export function errorCode(error: unknown): string | null {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : null;
}

/** The sentence to show for a failed call. */
export function errorMessage(error: unknown): string {
  if (error instanceof Error && error.message) return error.message;
  return 'The controller could not carry out the request; try again.';
}
