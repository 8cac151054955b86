import { copyFile, link as hardLink, rm } from 'node:fs/promises';
import type { FileRef, LocalHandoff } from '../../../node-agent/protocol/index.js';
import type { AgentLink } from '../agents/agent-link.js';
import type { TaskRecord } from '../model/job-model.js';
import type { AgentOutputs } from '../agents/agent-outputs.js';

/**
 * Files to and from the agent embedded in the controller's own process (the local agent), passed
 * on disk through its LocalHandoff instead of streamed over its loopback socket. For the local
 * agent the controller already holds every file a job has collected, so a task that consumes
 * other tasks' outputs (a transcode join, a frames-to-video) is cheapest there: its inputs
 * need no transfer and its output none back. The scheduler asks here first and falls back to
 * the wire when this declines (another agent, or a file it could not hand over).
 */
export class LocalAgentFiles {
  constructor(
    private readonly handoff: LocalHandoff | null,
    private readonly deps: { intake: Pick<AgentOutputs, 'open' | 'arrived'> },
  ) {}

  isLocal(agentId: string | null | undefined): boolean {
    return this.handoff !== null && agentId === this.handoff.agentId;
  }

  get agentId(): string | null {
    return this.handoff?.agentId ?? null;
  }

  /** How an input reaches the local agent: into its cache on disk (InputFiles.send's `deliver`). */
  readonly deliverInput = (path: string, file: { sha256: string; size: number }): Promise<void> => this.handoff!.receiveInput(path, file);

  /**
   * Takes the local agent's finished outputs from its hold into place, as if they had arrived
   * over the wire: the same port (agent-outputs.ts), acceptance and commit, with the hash the agent took when it held
   * them (this process, this disk). Returns the names it could not take: those are fetched
   * over the socket as from any agent.
   */
  async collect(link: AgentLink, task: TaskRecord, outputs: readonly FileRef[]): Promise<string[]> {
    const left: string[] = [];
    for (const file of outputs) {
      const held = this.handoff!.heldOutput(task.id, task.attempt, file);
      const offer = { taskId: task.id, attempt: task.attempt, file };
      const opened = held ? await this.deps.intake.open(link, offer) : { refuse: 'not held' };
      if (!held || 'refuse' in opened) {
        left.push(file.name);
        continue;
      }
      try {
        // A link costs nothing; the agent drops its own name for the file on the acknowledgement.
        await hardLink(held, opened.tempPath).catch(() => copyFile(held, opened.tempPath));
      } catch {
        await rm(opened.tempPath, { force: true });
        left.push(file.name);
        continue;
      }
      await this.deps.intake.arrived(link, offer, opened.tempPath);
    }
    return left;
  }
}
