import { createContext, useContext } from 'react';
import type { FarmClient } from './client/farm-client.js';

/** The FarmClient of this window, whichever transport provides it. */
export const FarmClientContext = createContext<FarmClient | null>(null);

export function useFarmClient(): FarmClient {
  const client = useContext(FarmClientContext);
  if (!client) throw new Error('useFarmClient needs a FarmClientContext.Provider above it; render views inside <App>.');
  return client;
}
