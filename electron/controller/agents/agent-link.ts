import { CLOSE_CODES, HEARTBEAT_INTERVAL_MS, MISSED_PONGS_LIMIT, type Message, type MessageOf } from '../../../node-agent/protocol/index.js';
import { classifyTlsFailure, connectSecure, controllerRefusalText, PeerChannel, type IncomingFile } from '../../../node-agent/channel/index.js';
import type { AgentOutputs, OutputOffer } from './agent-outputs.js';

/**
 * The controller's connection to one agent address: open the TLS-PSK channel (which proves
 * the farm key both ways), read the agent's hello, then keep the link alive with WebSocket pings. mDNS never says whether an
 * agent is alive (a killed agent sends no goodbye), so liveness is this heartbeat: a few
 * missed pongs and the agent is offline. Lost links reconnect with backoff and jitter;
 * a refusal (wrong farm key) backs off further and is reported once, not in a storm.
 */

/**
 * Who hears what a link learns: the scheduler, called directly (one wrapping, the link's). The
 * wire's file messages are translated here into offers of the task key and file (agent-outputs.ts).
 */
export interface AgentLinkListener {
  agentOnline(link: AgentLink, hello: MessageOf<'agent.hello'>): void;
  agentOffline(link: AgentLink, reason: string): void;
  agentMessage(link: AgentLink, message: Message): void;
  readonly intake: AgentOutputs;
}

/** What a link reports to the user (the pool words and limits it, agent-pool.ts). */
export interface AgentLinkReports {
  /** The agent could not be used (refused, wrong key, wrong protocol); reported once per distinct reason. */
  problem(link: AgentLink, problem: string): void;
  /** A connected agent sent something invalid. */
  peerTrouble(link: AgentLink, trouble: string): void;
  /** An output that arrived could not be stored. */
  outputNotStored(link: AgentLink, error: Error): void;
}

const BACKOFF_START_MS = 250;
const BACKOFF_MAX_MS = 10_000;
const REFUSED_BACKOFF_MS = 30_000;
const HELLO_TIMEOUT_MS = 5000;

/**
 * An address remembered from an earlier run (known-agents.ts) is only a hint: until it has
 * answered once, its failures are not reported (a switched-off machine is not news) and it is
 * given up after this many attempts (about 2 s of backoff); mDNS brings the agent back if it
 * is alive elsewhere.
 */
export const HINT_ATTEMPTS = 4;

/** How long a stopping controller waits for an agent to answer its close. */
const STOP_GRACE_MS = 500;

export class AgentLink {
  agentId: string | null = null;
  private channel: PeerChannel | null = null;
  private online = false;
  private stopped = false;
  private attempts = 0;
  private retryTimer: NodeJS.Timeout | null = null;
  private heartbeat: NodeJS.Timeout | null = null;
  private lastProblem = '';
  private everOnline = false;
  private attemptsEnded = 0;

  constructor(
    readonly url: string,
    private readonly o: {
      farmKey: string;
      controllerId: string;
      listener: AgentLinkListener;
      reports: AgentLinkReports;
      /** A remembered address: quiet and bounded until it first answers (HINT_ATTEMPTS); `gaveUp` once it is given up. */
      hint?: { gaveUp(link: AgentLink): void };
    },
  ) {}

  /** Whether this address is still only a remembered hint (it has never answered on this link). */
  get isHint(): boolean {
    return this.o.hint !== undefined && !this.everOnline;
  }

  /** Its first connection attempt has ended, online or not: a start waiting for known agents need not wait for it any more. */
  get settled(): boolean {
    return this.everOnline || this.attemptsEnded > 0 || this.stopped;
  }

  get isOnline(): boolean {
    return this.online;
  }

  start(): void {
    this.stopped = false;
    this.connect();
  }

  send(message: Message): boolean {
    return this.online ? this.channel!.send(message) : false;
  }

  sendFile(path: string, file: MessageOf<'file.begin'>['file']): Promise<void> {
    if (!this.online || !this.channel) return Promise.reject(new Error('agent offline'));
    return this.channel.sendFile(path, file);
  }

  /**
   * Closes the link for good. What this turn sent (a last output.ack) leaves first: the close
   * handshake starts after the channel's corked writes are flushed, and the socket is only cut
   * if the agent does not answer within STOP_GRACE_MS.
   */
  stop(): Promise<void> {
    this.stopped = true;
    if (this.retryTimer) clearTimeout(this.retryTimer);
    const channel = this.channel;
    if (!channel || channel.ws.readyState === channel.ws.CLOSED) return Promise.resolve();
    return new Promise((resolve) => {
      const ws = channel.ws;
      const timer = setTimeout(() => {
        ws.terminate();
        resolve();
      }, STOP_GRACE_MS);
      ws.once('close', () => {
        clearTimeout(timer);
        resolve();
      });
      setImmediate(() => channel.close(CLOSE_CODES.shuttingDown, 'controller stopped'));
    });
  }

  private connect(): void {
    if (this.stopped) return;
    const ws = connectSecure(this.url, { farmKey: this.o.farmKey, controllerId: this.o.controllerId });
    const channel = new PeerChannel(ws, {
      openIncoming: (begin) => (this.online ? this.openIncoming(begin) : Promise.resolve({ refuse: 'not greeted yet' })),
    });
    this.channel = channel;
    let refused = false;
    ws.on('error', (error: NodeJS.ErrnoException) => {
      const refusal = classifyTlsFailure(error);
      if (refusal) {
        refused = true;
        this.problem(`agent refused: ${controllerRefusalText(this.url, refusal)}`);
      } else if (error.code !== 'ECONNREFUSED' && error.code !== 'ECONNRESET' && error.code !== 'EHOSTUNREACH') {
        this.problem(`cannot connect to ${this.url}: ${error.message}`);
      }
    });
    ws.on('unexpected-response', (_request, response) => {
      refused = true;
      this.problem(`${this.url} is not a Farmhand agent (HTTP ${response.statusCode})`);
      ws.terminate();
    });
    // The TLS handshake proved the key; the agent's hello must follow at once.
    let helloTimer: NodeJS.Timeout | null = null;
    ws.on('open', () => {
      helloTimer = setTimeout(() => channel.close(CLOSE_CODES.authFailed, 'no agent.hello within 5 s'), HELLO_TIMEOUT_MS);
      channel.onMessage = (message) => {
        if (helloTimer) clearTimeout(helloTimer);
        if (message.type !== 'agent.hello') return channel.close(CLOSE_CODES.authFailed, 'expected agent.hello first');
        this.agentId = message.agentId;
        this.goOnline(channel, message);
      };
    });
    channel.on('file', (file) => this.fileArrived(file));
    channel.on('fileFailed', (begin, reason, cause) => {
      const offer = offerOf(begin);
      if (offer) this.o.listener.intake.failed(this, offer, reason, cause);
    });
    channel.on('invalid', (error, count) => this.o.reports.peerTrouble(this, `sent an invalid message (#${count}): ${error}`));
    channel.on('fault', (error) => this.o.reports.peerTrouble(this, `sent a message the controller could not handle (${error}); the connection was closed`));
    channel.on('close', (code, reason) => {
      if (helloTimer) clearTimeout(helloTimer);
      if (this.channel !== channel) return;
      this.channel = null;
      this.stopHeartbeat();
      const wasOnline = this.online;
      this.online = false;
      if (wasOnline) this.o.listener.agentOffline(this, reason || `connection closed (code ${code})`);
      if (this.stopped) return;
      this.attemptsEnded++;
      if (this.isHint && this.attemptsEnded >= HINT_ATTEMPTS) {
        this.stopped = true;
        this.o.hint!.gaveUp(this);
        return;
      }
      this.scheduleReconnect(refused || code === CLOSE_CODES.authFailed || code === CLOSE_CODES.protocolMismatch);
    });
  }

  /** Where a file the agent starts sending may be written: only an output of a task is taken. */
  openIncoming(begin: MessageOf<'file.begin'>): Promise<{ tempPath: string } | { refuse: string }> {
    const offer = offerOf(begin);
    return offer ? this.o.listener.intake.open(this, offer) : Promise.resolve({ refuse: 'not an output of a current task' });
  }

  private fileArrived(file: IncomingFile): void {
    const offer = offerOf(file.begin);
    if (offer) void this.o.listener.intake.arrived(this, offer, file.tempPath).catch((error: Error) => this.o.reports.outputNotStored(this, error));
  }

  private goOnline(channel: PeerChannel, hello: MessageOf<'agent.hello'>): void {
    this.online = true;
    this.everOnline = true;
    this.attempts = 0;
    this.lastProblem = '';
    channel.onMessage = (message) => this.o.listener.agentMessage(this, message);
    this.startHeartbeat(channel);
    this.o.listener.agentOnline(this, hello);
  }

  private startHeartbeat(channel: PeerChannel): void {
    let missed = 0;
    channel.ws.on('pong', () => (missed = 0));
    this.heartbeat = setInterval(() => {
      if (++missed > MISSED_PONGS_LIMIT) {
        channel.ws.terminate(); // 'close' marks the agent offline
        return;
      }
      try {
        channel.ws.ping();
      } catch {
        channel.ws.terminate();
      }
    }, HEARTBEAT_INTERVAL_MS);
  }

  private stopHeartbeat(): void {
    if (this.heartbeat) clearInterval(this.heartbeat);
    this.heartbeat = null;
  }

  private scheduleReconnect(refused: boolean): void {
    const base = refused ? REFUSED_BACKOFF_MS : Math.min(BACKOFF_MAX_MS, BACKOFF_START_MS * 2 ** this.attempts);
    this.attempts++;
    const delay = base * (0.75 + Math.random() * 0.5);
    this.retryTimer = setTimeout(() => this.connect(), delay);
  }

  private problem(problem: string): void {
    if (this.isHint || problem === this.lastProblem) return;
    this.lastProblem = problem;
    this.o.reports.problem(this, problem);
  }
}

/** The task key and file of a file.begin; null for a file that is no task's output. */
function offerOf(begin: MessageOf<'file.begin'>): OutputOffer | null {
  return begin.task ? { taskId: begin.task.taskId, attempt: begin.task.attempt, file: begin.file } : null;
}
