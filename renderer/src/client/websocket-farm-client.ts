import { connectApi, type ApiClient, type WebSocketLike } from '../../../electron/controller/api/api-client.js';
import { backoffDelay } from './backoff.js';
import { uploadFile, uploadUrlFor } from './upload-file.js';
import { errorCode, errorMessage, type ConnectionStatus, type FarmClient } from './farm-client.js';

/**
 * FarmClient over the controller's WebSocket API, for a browser. It authenticates with the
 * token from the page URL, and when the connection drops (controller restarted, laptop slept)
 * it reconnects with backoff; a refused token stops it, since retrying cannot fix that.
 */

export interface WebSocketFarmClientOptions {
  /** ws://HOST:PORT/api */
  url: string;
  token: string | null;
  /** For tests; default: connectApi with the browser's WebSocket. */
  connect?: typeof connectApi;
  initialBackoffMs?: number;
  maxBackoffMs?: number;
}

const TOKEN_HINT = 'open the link `farmhand controller` printed when it started (it ends in #token=…)';

export function createWebSocketFarmClient(o: WebSocketFarmClientOptions): FarmClient {
  const connect = o.connect ?? connectApi;
  const eventListeners = new Set<Parameters<FarmClient['onEvents']>[0]>();
  const statusListeners = new Set<(status: ConnectionStatus) => void>();
  let status: ConnectionStatus = { state: 'connecting', message: null, generation: 0, address: o.url, serverVersion: null };
  let api: ApiClient | null = null;
  let attempt = 0;
  let stopped = false;
  let retryTimer: ReturnType<typeof setTimeout> | undefined;

  const setStatus = (next: Partial<ConnectionStatus>) => {
    status = { ...status, ...next };
    for (const listener of statusListeners) listener(status);
  };

  const retryLater = (message: string) => {
    if (stopped) return;
    const delay = backoffDelay(attempt++, o.initialBackoffMs, o.maxBackoffMs);
    setStatus({ state: 'reconnecting', message: `${message.replace(/[.;]\s*$/, '')}. Reconnecting in ${Math.max(1, Math.round(delay / 1000))} s…` });
    retryTimer = setTimeout(open, delay);
  };

  async function open(): Promise<void> {
    if (stopped) return;
    if (!o.token) {
      return setStatus({ state: 'unauthorised', message: `Not authorised: this page was opened without the API token; ${TOKEN_HINT}.` });
    }
    try {
      const client = await connect(o.url, o.token, {
        createSocket: (url) => new WebSocket(url) as unknown as WebSocketLike,
        tokenHint: TOKEN_HINT,
      });
      if (stopped) return void client.close();
      api = client;
      attempt = 0;
      client.onEvents((events) => {
        for (const listener of eventListeners) listener(events);
      });
      client.onClose((error) => {
        api = null;
        retryLater(error.message);
      });
      setStatus({ state: 'connected', message: null, generation: status.generation + 1, serverVersion: client.serverVersion });
    } catch (error) {
      if (errorCode(error) === 'unauthorized') {
        return setStatus({ state: 'unauthorised', message: `Not authorised: the controller refused this page's API token; ${TOKEN_HINT}.` });
      }
      retryLater(errorMessage(error));
    }
  }

  void open();

  return {
    call(command, params) {
      if (!api) {
        const why = status.state === 'unauthorised' ? status.message : 'Not connected to the controller; wait for it to reconnect and try again.';
        return Promise.reject(new Error(why ?? 'Not connected to the controller; try again.'));
      }
      return api.call(command, params);
    },
    upload(file, onProgress) {
      if (!o.token) return Promise.reject(new Error(`Not authorised to upload: ${TOKEN_HINT}.`));
      return uploadFile({ url: uploadUrlFor(o.url), token: o.token, file, onProgress });
    },
    onEvents(listener) {
      eventListeners.add(listener);
      return () => void eventListeners.delete(listener);
    },
    onStatus(listener) {
      statusListeners.add(listener);
      listener(status);
      return () => void statusListeners.delete(listener);
    },
    close() {
      stopped = true;
      clearTimeout(retryTimer);
      void api?.close();
      api = null;
    },
  };
}
