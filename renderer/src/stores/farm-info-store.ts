import { useEffect } from 'react';
import { create } from 'zustand';
import type { FarmInfo } from '../../../electron/controller/api/contract.js';
import { errorMessage } from '../client/farm-client.js';
import { useFarmClient } from '../farm-client-context.js';
import { useConnectionStore } from './connection-store.js';

/**
 * What the controller says about itself (farm.info: pairing code, folders, version, tools).
 * It barely changes, so it is read once per connection, by whichever view needs it first.
 */
interface FarmInfoState {
  info: FarmInfo | null;
  error: string | null;
  /** The connection generation it was read in. */
  generation: number;
}

export const useFarmInfoStore = create<FarmInfoState>(() => ({ info: null, error: null, generation: -1 }));

/** The controller's info, read on first use in each connection; null until it arrives. */
export function useFarmInfo(): FarmInfoState {
  const client = useFarmClient();
  const generation = useConnectionStore((s) => s.generation);
  const connected = useConnectionStore((s) => s.state === 'connected');
  useEffect(() => {
    if (!connected || useFarmInfoStore.getState().generation === generation) return;
    useFarmInfoStore.setState({ generation });
    client.call('farm.info', {}).then(
      (info) => useFarmInfoStore.setState({ info, error: null }),
      (e) => useFarmInfoStore.setState({ error: errorMessage(e), generation: -1 }),
    );
  }, [client, generation, connected]);
  return useFarmInfoStore();
}
