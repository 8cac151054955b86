import { LogLimiter } from '../../../node-agent/channel/index.js';
import { AgentLink, type AgentLinkListener, type AgentLinkReports } from './agent-link.js';

/**
 * Every agent address the controller knows — added by hand, found over mDNS, or the
 * embedded local agent — with one link each. Each link calls the scheduler (the listener)
 * directly; the pool words and limits what links report to the user (wrong key, invalid
 * messages…) and passes it on as notices.
 */
export interface AgentPoolOptions {
  farmKey: string;
  controllerId: string;
  listener: AgentLinkListener;
  notice(level: 'warn' | 'error', line: string): void;
  /** An agent proved itself at a URL (the farm-key handshake and its hello): what the known-agents memory records. */
  seen?(agentId: string, url: string): void;
}

/** Agents followed from mDNS announcements at most (a studio farm has tens; a flood of announcements has thousands). */
const MAX_DISCOVERED_AGENTS = 1024;

export class AgentPool {
  private readonly links = new Map<string, AgentLink>();
  /** mDNS-discovered agent id → its current URL, so an address change replaces the old link. */
  private readonly discovered = new Map<string, string>();

  /** Invalid messages from connected agents: a few lines per agent and window, then a count (log-limiter.ts). */
  private readonly trouble: LogLimiter;
  private readonly reports: AgentLinkReports;
  /** What links report, seen by the pool first: it keeps the id → URL map true and tells the memory. */
  private readonly listener: AgentLinkListener;

  constructor(private readonly o: AgentPoolOptions) {
    const listener = o.listener;
    this.listener = {
      agentOnline: (link, hello) => {
        this.identified(link, hello.agentId);
        listener.agentOnline(link, hello);
      },
      agentOffline: (link, reason) => listener.agentOffline(link, reason),
      agentMessage: (link, message) => listener.agentMessage(link, message),
      get intake() {
        return listener.intake;
      },
    };
    this.trouble = new LogLimiter((line) => o.notice('warn', line));
    this.reports = {
      problem: (link, problem) => o.notice('warn', problem.includes(link.url) ? problem : `${link.url}: ${problem}`),
      peerTrouble: (link, trouble) => this.trouble.note(link.url, `Agent at ${link.url} ${trouble}`),
      outputNotStored: (_link, error) => o.notice('error', `Storing an output failed: ${error.message}`),
    };
  }

  /** Connects to an agent URL (wss://host:port); adding the same URL twice is a no-op. */
  add(url: string, hint?: { gaveUp(link: AgentLink): void }): AgentLink {
    const normalized = normalizeAgentUrl(url);
    const existing = this.links.get(normalized);
    if (existing) return existing;
    const link = new AgentLink(normalized, { farmKey: this.o.farmKey, controllerId: this.o.controllerId, listener: this.listener, reports: this.reports, ...(hint ? { hint } : {}) });
    this.links.set(normalized, link);
    link.start();
    return link;
  }

  /**
   * An agent remembered from an earlier run (known-agents.ts): connected at once, like one mDNS
   * found, so an announcement of the same agent elsewhere replaces it. Only a hint: quiet and
   * given up after a few failed attempts (agent-link.ts), never beyond the mDNS bound.
   */
  rememberedAgent(agentId: string, url: string): void {
    const normalized = normalizeAgentUrl(url);
    if (this.discovered.has(agentId) || this.links.has(normalized) || this.discovered.size >= MAX_DISCOVERED_AGENTS) return;
    this.discovered.set(agentId, normalized);
    this.add(normalized, {
      gaveUp: (link) => {
        if (this.links.get(link.url) !== link) return;
        this.links.delete(link.url);
        for (const [id, at] of this.discovered) if (at === link.url) this.discovered.delete(id);
      },
    });
  }

  /** Links whose first attempt is still under way: a start that waits for its known agents waits for these. */
  unsettled(): number {
    return this.all().filter((link) => !link.settled).length;
  }

  /**
   * A link's agent said who it is. A remembered address may now be another agent (a reinstall
   * gave it a new id): the id → URL map follows what answered, so a later announcement of the
   * old id elsewhere does not close this link.
   */
  private identified(link: AgentLink, agentId: string): void {
    let tracked = false;
    for (const [id, at] of this.discovered) {
      if (at !== link.url) continue;
      tracked = true;
      if (id !== agentId) this.discovered.delete(id);
    }
    if (tracked && !this.discovered.has(agentId)) this.discovered.set(agentId, link.url);
    this.o.seen?.(agentId, link.url);
  }

  /**
   * An agent seen over mDNS: connect, or move to its new address. Anyone on the LAN can announce,
   * so the number of announced agents followed is bounded; agents added by address always are.
   */
  discoveredAgent(agentId: string, address: string, port: number): void {
    const url = normalizeAgentUrl(`wss://${address.includes(':') ? `[${address}]` : address}:${port}`);
    const previous = this.discovered.get(agentId);
    if (previous === url) return;
    if (!previous && this.discovered.size >= MAX_DISCOVERED_AGENTS) {
      this.trouble.note('mDNS', `More than ${MAX_DISCOVERED_AGENTS} agents announced themselves over mDNS; ${url} is not followed (add it by address if it is yours).`);
      return;
    }
    if (previous) this.remove(previous);
    this.discovered.set(agentId, url);
    this.add(url);
  }

  remove(url: string): void {
    const link = this.links.get(normalizeAgentUrl(url));
    void link?.stop();
    this.links.delete(normalizeAgentUrl(url));
  }

  all(): AgentLink[] {
    return [...this.links.values()];
  }

  async stop(): Promise<void> {
    const links = [...this.links.values()];
    this.links.clear();
    this.trouble.flush();
    await Promise.all(links.map((link) => link.stop()));
  }
}

/**
 * Accepts `host:port`, `wss://host:port` and `ws://host:port` (how addresses were written before
 * the channel was encrypted; it means the same, as there is no plain channel) and returns
 * `wss://host:port`; refuses anything else with the fix.
 */
export function normalizeAgentUrl(input: string): string {
  const withScheme = /^[a-z]+:\/\//i.test(input) ? input : `wss://${input}`;
  const refusal = `"${input}" is not an agent address; use HOST:PORT or wss://HOST:PORT, e.g. wss://10.0.0.5:7420.`;
  let url: URL;
  try {
    url = new URL(withScheme);
  } catch {
    throw new Error(refusal);
  }
  if (url.protocol !== 'ws:' && url.protocol !== 'wss:') throw new Error(refusal);
  return `wss://${url.hostname.includes(':') && !url.hostname.startsWith('[') ? `[${url.hostname}]` : url.hostname}:${url.port || '7420'}`;
}
