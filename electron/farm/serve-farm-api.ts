import { join } from 'node:path';
import { startApiServer, type ApiServer } from '../controller/api/api-server.js';
import { apiTokenPath, loadOrCreateApiToken } from '../controller/api/api-token.js';
import { builtUiFolder, createStaticFileHandler } from '../controller/api/static-files.js';
import { createUploadHandler, isUploadRequest } from '../controller/api/upload-route.js';
import type { ControllerService } from './start-controller-service.js';

/**
 * The controller service on the network, as `farmhand controller` serves it: the API over
 * WebSocket, the desktop UI's browser build at `/` (it authenticates with the token in the
 * printed link), and `/api/uploads` for a browser's dropped file (it has no path there), with
 * the same token. Composed here, beside the service, so the CLI only chooses host, port and
 * certificate and prints what comes back.
 */

export interface FarmApiOptions {
  host: string;
  port: number;
  /** PEM certificate and key: HTTPS/WSS instead of plain HTTP/WS. */
  tls?: { cert: string | Buffer; key: string | Buffer };
  /** Bytes a browser may upload in one file. */
  uploadLimitBytes: number;
}

export interface FarmApi {
  server: ApiServer;
  token: string;
  /** Where the token is kept: client commands on this machine read it from there. */
  tokenPath: string;
  /** The link that opens the UI already authorised (the token rides in the fragment, which is never sent to the server). */
  uiUrl: string;
}

export async function serveFarmApi(running: ControllerService, o: FarmApiOptions): Promise<FarmApi> {
  const token = await loadOrCreateApiToken(running.home);
  const staticFiles = createStaticFileHandler({ root: builtUiFolder(import.meta.url) });
  const uploads = createUploadHandler({ dir: join(running.home, 'uploads'), token, maxBytes: o.uploadLimitBytes });
  const onHttpRequest: typeof staticFiles = (request, response) => (isUploadRequest(request) ? uploads : staticFiles)(request, response);
  const server = await startApiServer({ api: running.service.api, onEvent: running.service.onEvent, token, host: o.host, port: o.port, ...(o.tls ? { tls: o.tls } : {}), onHttpRequest });
  return { server, token, tokenPath: apiTokenPath(running.home), uiUrl: uiUrl(server, token) };
}

function uiUrl(server: ApiServer, token: string): string {
  const host = server.host === '0.0.0.0' ? '127.0.0.1' : server.host === '::' ? '::1' : server.host;
  return `${server.secure ? 'https' : 'http'}://${host.includes(':') ? `[${host}]` : host}:${server.port}/#token=${encodeURIComponent(token)}`;
}
