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

  constructor(private readonly o: AgentPoolOptions) {
    this.trouble = new LogLimiter((line) => o.notice('warn', line));
    this.reports = {
      problem: (link, problem) => o.notice('warn', problem.includes(link.url) ? problem : `${link.url}: ${problem}`),
      peerTrouble: (link, trouble) => this.trouble.note(link.url, `Agent at ${link.url} ${trouble}`),
      outputNotStored: (_link, error) => o.notice('error', `Storing an output failed: ${error.message}`),
    };
  }

  /** Connects to an agent URL (wss://host:port); adding the same URL twice is a no-op. */
  add(url: string): AgentLink {
    const normalized = normalizeAgentUrl(url);
    const existing = this.links.get(normalized);
    if (existing) return existing;
    const link = new AgentLink(normalized, { farmKey: this.o.farmKey, controllerId: this.o.controllerId, listener: this.o.listener, reports: this.reports });
    this.links.set(normalized, link);
    link.start();
    return link;
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
