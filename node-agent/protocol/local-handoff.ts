import type { FileRef, OutputRef } from './messages.js';

/**
 * How the controller and the agent embedded in its own process (the local agent) pass files:
 * on disk, not through their loopback socket. Both ends see the same file system, so sending
 * a file would only copy its bytes through the kernel twice, hash them twice and, on a machine
 * that also encodes, take that CPU from the encoders: a transcode join's inputs (every chunk)
 * and its output (the whole video) are each as big as the result. Not a message: an in-process
 * contract between the controller core and the embedded agent, so no message can name a
 * path here. The controller uses it only for the agent object it created itself.
 */
export interface LocalHandoff {
  agentId: string;
  /**
   * Puts a controller file into the input cache (a hard link where the file system allows,
   * else a copy), checked against its hash like a sent one, and wakes the task waiting for it.
   */
  receiveInput(path: string, file: Pick<FileRef, 'sha256' | 'size'>): Promise<void>;
  /** Where a finished task's output is held until the controller acknowledges it, or null. */
  heldOutput(taskId: string, attempt: number, output: OutputRef): string | null;
}

