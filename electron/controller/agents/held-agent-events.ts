import type { Message, MessageOf } from '../../../node-agent/protocol/index.js';
import type { AgentLink, AgentLinkListener } from './agent-link.js';
import type { AgentOutputs, OutputOffer } from './agent-outputs.js';

/**
 * The agent pool's listener while the scheduler does not exist yet. The controller dials the
 * agents it already knows before its job store and planning memory have loaded
 * (create-controller.ts), so the TCP, TLS-PSK and hello round trips overlap those reads instead
 * of following them: a one-shot `farmhand render` reaches its first assignment sooner.
 *
 * What links report in that window (an agent online or offline, a message, an output offered)
 * is held here in arrival order and handed to the scheduler once it is built from the loaded
 * store, with the stored jobs already back in it. The scheduler therefore sees what it always
 * saw: its jobs first, then the agents. Nothing is dispatched, acknowledged, stored or refused
 * before the store is open; an output offered in the window simply waits for its answer.
 */
export class HeldAgentEvents implements AgentLinkListener {
  #target: AgentLinkListener | null = null;
  #held: ((target: AgentLinkListener) => void)[] = [];
  readonly intake: AgentOutputs;

  constructor() {
    this.intake = {
      open: (from: AgentLink, offer: OutputOffer) => this.#answer((t) => t.intake.open(from, offer)),
      arrived: (from: AgentLink, offer: OutputOffer, tempPath: string) => this.#answer((t) => t.intake.arrived(from, offer, tempPath)),
      failed: (from: AgentLink, offer: OutputOffer, reason: string, cause?: { code?: string }) => this.#pass((t) => t.intake.failed(from, offer, reason, cause)),
    };
  }

  /** How many reports wait for the scheduler (0 once it has them). */
  get waiting(): number {
    return this.#held.length;
  }

  agentOnline(link: AgentLink, hello: MessageOf<'agent.hello'>): void {
    this.#pass((t) => t.agentOnline(link, hello));
  }

  agentOffline(link: AgentLink, reason: string): void {
    this.#pass((t) => t.agentOffline(link, reason));
  }

  agentMessage(link: AgentLink, message: Message): void {
    this.#pass((t) => t.agentMessage(link, message));
  }

  /** The scheduler is ready: it gets everything held, in the order it came, then each report as it comes. */
  deliverTo(target: AgentLinkListener): void {
    if (this.#target) throw new Error('agent events are already delivered');
    const held = this.#held;
    this.#held = [];
    this.#target = target;
    for (const report of held) report(target);
  }

  #pass(report: (target: AgentLinkListener) => void): void {
    if (this.#target) report(this.#target);
    else this.#held.push(report);
  }

  /** A report whose answer (a promise) the link waits for: answered once the scheduler has it. */
  #answer<T>(report: (target: AgentLinkListener) => Promise<T>): Promise<T> {
    if (this.#target) return report(this.#target);
    return new Promise<T>((resolve, reject) => {
      this.#held.push((target) => {
        try {
          report(target).then(resolve, reject);
        } catch (error) {
          reject(error);
        }
      });
    });
  }
}
