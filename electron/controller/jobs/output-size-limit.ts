import { MAX_FILE_BYTES, type TaskSpec } from '../../../node-agent/protocol/index.js';

/**
 * The largest single output a task may announce. An agent's `file.begin` (and its `task.done`)
 * says how many bytes are coming, and the controller writes that many to its own disk: a lying
 * agent that announces 60 GiB for a frame must be refused before the first byte, not after the
 * disk is full. The wire's own cap (MAX_FILE_BYTES, 64 GiB) is for any file; this one is what
 * the task can plausibly make, with room to spare for real production files.
 */

const GiB = 1024 ** 3;

/** Per task type; change here to allow bigger outputs farm-wide. */
export const OUTPUT_BYTE_LIMITS = {
  /** One rendered frame. An 8K multilayer EXR with a dozen float passes is a few GiB. */
  blender: 8 * GiB,
  /** Hours of uncompressed 24-bit multichannel PCM fit. */
  'transcode-audio': 16 * GiB,
  /** Video outputs: a lossless encode of a long 4K source can be tens of GiB. */
  'transcode-chunk': MAX_FILE_BYTES,
  'transcode-join': MAX_FILE_BYTES,
  'frames-video': MAX_FILE_BYTES,
  /** One merged still: as large as a rendered frame. */
  'tiles-merge': 8 * GiB,
} as const satisfies Record<Exclude<TaskSpec['type'], 'noop'>, number>;

/** Bytes one output of a task with this spec may have: a noop's are exactly its `outputBytes`. */
export function outputByteLimit(spec: TaskSpec): number {
  return spec.type === 'noop' ? spec.outputBytes ?? 0 : OUTPUT_BYTE_LIMITS[spec.type];
}
