import { create } from 'zustand';
import type { ConnectionStatus } from '../client/farm-client.js';

/** The connection's status, as the FarmClient reports it. */
export const useConnectionStore = create<ConnectionStatus>(() => ({
  state: 'connecting',
  message: null,
  generation: 0,
  address: '',
  serverVersion: null,
}));
