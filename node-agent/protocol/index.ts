/** The wire contract between controller and agent: the one place a message is defined. */
export * from './constants.js';
export * from './messages.js';
export * from './binary-frame.js';
export * from './farm-key.js';
export * from './file-ref.js';
export * from './handshake.js';
export * from './peer-channel.js';
export type * from './local-handoff.js';
