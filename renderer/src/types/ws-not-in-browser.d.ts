/**
 * Stands in for the ws package when the renderer is type-checked. The controller's API client
 * imports ws only for Node; the renderer hands it the browser's WebSocket instead, and the
 * bundle maps ws to its browser stub. Without this, @types/ws would bring Node's globals (and
 * `node:fs`) into the renderer's type world.
 */
export declare const WebSocket: any;
export type WebSocket = any;
export declare const WebSocketServer: any;
export type WebSocketServer = any;
export type RawData = any;
export type ClientOptions = any;
