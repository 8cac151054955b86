/**
 * The wire contract between controller and agent: the one place a message is defined. Only
 * what both sides must agree on lives here (messages and their schemas, constants, the file
 * stream's frame format, the farm key's format, the local hand-off's shape). The code that
 * carries it over a socket is in node-agent/channel/.
 */
export * from './constants.js';
export * from './messages.js';
export * from './binary-frame.js';
export * from './farm-key.js';
export * from './file-ref.js';
export * from './json-shape.js';
export * from './workspace-path.js';
export * from './blender-choice.js';
export * from './automatic-tags.js';
export type * from './local-handoff.js';
