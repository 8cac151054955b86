import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { App } from './app.js';
import { apiUrlFor, takePageToken } from './client/page-token.js';
import { createWebSocketFarmClient } from './client/websocket-farm-client.js';
import './app.css';

/**
 * Entry of the browser build (served by `farmhand controller` at /): the WebSocket transport,
 * authorised by the token in the page's URL. The desktop app has its own entry with the IPC
 * transport and the same <App>.
 */
const storage = (() => {
  try {
    return window.sessionStorage;
  } catch {
    return null;
  }
})();
const client = createWebSocketFarmClient({ url: apiUrlFor(window.location), token: takePageToken(window.location, window.history, storage) });
createRoot(document.getElementById('root')!).render(
  <StrictMode>
    <App client={client} />
  </StrictMode>,
);
