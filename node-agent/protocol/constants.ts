/**
 * Constants both ends of the wire must agree on. Bump PROTOCOL_VERSION whenever a message
 * changes shape: a controller refuses an agent that speaks another version with a clear
 * message instead of misreading it.
 */
export const PROTOCOL_VERSION = 4; // 4: job.workspace / job.ended; a Blender task names its job's workspace instead of carrying its files (3: TLS-PSK)

/** Largest `job.workspace` a compiler emits, as JSON: under MAX_CONTROL_MESSAGE_BYTES with room for the envelope. */
export const MAX_JOB_WORKSPACE_BYTES = 6 * 1024 * 1024;

/** mDNS service type: announced as `_farmhand._tcp`. */
export const MDNS_SERVICE_TYPE = 'farmhand';

/** TXT record keys of the announcement (short: TXT records are small). */
export const TXT_KEYS = {
  agentId: 'id',
  protocolVersion: 'pv',
  hostname: 'host',
  slots: 'slots',
  capabilities: 'caps',
  /** The GPU backend an agent renders on and how many of its devices (`OPTIX:2`); absent: the CPU. */
  gpu: 'gpu',
} as const;

export const DEFAULT_AGENT_PORT = 7420;

/** Largest JSON control message accepted; anything bigger is refused before parsing. */
export const MAX_CONTROL_MESSAGE_BYTES = 8 * 1024 * 1024;

/** Largest WebSocket frame either side accepts: a control message or a file chunk with its header. */
export const MAX_FRAME_BYTES = MAX_CONTROL_MESSAGE_BYTES + 64 * 1024;

/** A sender reads a file this many bytes at a time; it sends them in frames of one TLS record each (peer-channel.ts). A receiver takes chunk frames of any size up to MAX_FRAME_BYTES. */
export const FILE_CHUNK_BYTES = 1024 * 1024;

/** A sender pauses while more than this is buffered on the socket (back-pressure). */
export const SEND_HIGH_WATER_BYTES = 8 * 1024 * 1024;
/** How much of an incoming file may wait for the disk before the receiver stops reading the socket. */
export const RECEIVE_HIGH_WATER_BYTES = 8 * 1024 * 1024;

/** Largest single file either side accepts (inputs and outputs): 64 GiB. */
export const MAX_FILE_BYTES = 64 * 1024 ** 3;

/** The controller pings every agent this often and declares it lost after MISSED_PONGS_LIMIT misses. */
export const HEARTBEAT_INTERVAL_MS = 1000;
export const MISSED_PONGS_LIMIT = 3;

/** WebSocket close codes Farmhand uses, so each side can tell the user why. */
export const CLOSE_CODES = {
  authFailed: 4001,
  /** A peer that keeps sending invalid messages is cut off (it reconnects with backoff). */
  tooManyInvalid: 4005,
  /** A handler threw on what the peer sent: that connection closes, never the process. */
  internalFault: 4006,
  protocolMismatch: 4002,
  replaced: 4003,
  shuttingDown: 4004,
} as const;

/** Task types that need ffmpeg on the agent. Here rather than beside the schemas so the agent can read it without loading them. */
export const FFMPEG_TASK_TYPES = ['transcode-chunk', 'transcode-audio', 'transcode-join', 'frames-video', 'tiles-merge'] as const;
