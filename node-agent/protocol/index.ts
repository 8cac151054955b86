/** The wire contract between controller and agent: the one place a message is defined. */
export * from './constants.js';
export * from './messages.js';
export * from './binary-frame.js';
export * from './farm-key.js';
export * from './file-ref.js';
export * from './tls-psk.js';
export * from './secure-server.js';
export * from './secure-client.js';
export * from './log-limiter.js';
export * from './json-shape.js';
export * from './peer-channel.js';
export type * from './local-handoff.js';
