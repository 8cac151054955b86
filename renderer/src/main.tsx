import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { App } from './app.js';
import type { FarmClient } from './client/farm-client.js';
import { createIpcFarmClient, desktopBridge } from './client/ipc-farm-client.js';
import { apiUrlFor, takePageToken } from './client/page-token.js';
import { createWebSocketFarmClient } from './client/websocket-farm-client.js';
import { startRouteSync } from './routing/route-sync.js';
import './app.css';

/**
 * Entry of the UI. In the desktop app the preload provides `window.farmhand` and the client
 * goes over IPC; in a browser (served by `farmhand controller` at /) it is the WebSocket
 * transport, authorised by the token in the page's URL. The same <App> either way.
 */
const storage = (() => {
  try {
    return window.sessionStorage;
  } catch {
    return null;
  }
})();
const bridge = desktopBridge();
const client: FarmClient = bridge
  ? createIpcFarmClient(bridge)
  : createWebSocketFarmClient({ url: apiUrlFor(window.location), token: takePageToken(window.location, window.history, storage) });
// After the token is taken out of the address: the rest of it names the view to open.
startRouteSync(window);
createRoot(document.getElementById('root')!).render(
  <StrictMode>
    <App client={client} />
  </StrictMode>,
);
