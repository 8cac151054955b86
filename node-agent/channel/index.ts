/**
 * The socket code that carries the protocol (node-agent/protocol/): the TLS-PSK channel both
 * sides open (tls-psk, secure-server, secure-client), the peer channel that frames messages
 * and file streams on it (peer-channel, file-frames), and the limiter for lines about peers.
 * Kept apart from the contract so that the contract reads as one list of what is on the wire.
 */
export * from './tls-psk.js';
export * from './secure-server.js';
export * from './secure-client.js';
export * from './log-limiter.js';
export * from './peer-channel.js';
