import type { FileRef } from '../../../node-agent/protocol/index.js';
import type { AgentLink } from './agent-link.js';

/**
 * One output file an agent offers for one attempt of a task: the task key and the file. The
 * agent's link makes one from the wire's file.begin (agent-link.ts), the local agent's hand-off
 * on disk makes one from its held file (scheduler/local-agent-files.ts): the scheduler sees the
 * same thing either way, and no wire message.
 */
export interface OutputOffer {
  taskId: string;
  attempt: number;
  file: FileRef;
}

/**
 * Where agents hand their output files: the port the scheduler gives the agents' links
 * (scheduler/output-intake.ts is it). `from` is the agent's link, which says which agent sent it.
 */
export interface AgentOutputs {
  /** Where an offered output may be written, or why it is refused. Rejects with a full-disk error (ENOSPC) when it cannot fit. */
  open(from: AgentLink, offer: OutputOffer): Promise<{ tempPath: string } | { refuse: string }>;
  /** The file is complete and verified at `tempPath`. */
  arrived(from: AgentLink, offer: OutputOffer, tempPath: string): Promise<void>;
  /** The transfer failed; `cause.code` is the errno code when the controller could not write it (ENOSPC: its disk is full). */
  failed(from: AgentLink, offer: OutputOffer, reason: string, cause?: { code?: string }): void;
}
