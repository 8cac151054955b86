import type { Controller } from '../create-controller.js';
import { ApiError, type ApiEvent, type FarmApi } from './contract.js';

/**
 * The controller service behind the API contract: one function per command, each a thin
 * verb over the scheduler, the store and the agent pool. Transports (WebSocket, Electron IPC)
 * validate parameters against the contract and call these; nothing else changes farm state.
 */

export interface FarmServiceOptions {
  /** Where default output folders go (`<outputRoot>/<job name>`). */
  outputRoot: string;
  /** The controller's data folder (scratch space for reading scenes). */
  home: string;
}

export interface FarmService {
  api: FarmApi;
  /** Every state change as an API event (unbatched: transports batch them per client). */
  onEvent(listener: (event: ApiEvent) => void): () => void;
}

export function createFarmService(controller: Controller, o: FarmServiceOptions): FarmService {
  void controller;
  void o;
  throw new ApiError('internal', 'The farm service is being written.');
}
