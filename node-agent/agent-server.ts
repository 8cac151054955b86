import type { WebSocket } from 'ws';
import type { InputCache } from './input-cache.js';
import type { JobWorkspaces } from './job-workspace.js';
import type { JobWorkspaceLists } from './job-workspace-lists.js';
import type { OutputHold } from './output-hold.js';
import { CLOSE_CODES, type Message, type MessageOf, type OutputRef } from './protocol/index.js';
import { listenSecure, LogLimiter, PeerChannel, type PeerInfo, type SecureServer, type SecureServerLimits } from './channel/index.js';
import type { TaskExecutor } from './task-executor.js';

/**
 * The agent's server: WebSocket inside TLS-PSK (channel/secure-server.ts), so every peer that
 * reaches it has proven the farm key in the TLS handshake. One controller is served at a time
 * (a newer one replaces the older, which is how a restarted controller takes over). Tasks
 * outlive connections: what finishes while no controller is connected waits in the hold.
 */

export interface AgentServerDeps {
  farmKey: string;
  agentId: string;
  cache: InputCache;
  hold: OutputHold;
  executor: TaskExecutor;
  /** Jobs' workspaces on disk, removed when the controller says a job ended. */
  workspaces: JobWorkspaces;
  /** The `job.workspace` lists, each forgotten when its job ends or its connection closes. */
  lists: JobWorkspaceLists;
  /**
   * The greeting, the first message on every connection (nothing may reach the controller
   * before it). It carries the capabilities confirmed so far; see `capabilitiesChanged`.
   */
  hello(): MessageOf<'agent.hello'>;
  log(line: string): void;
  /** Bounds on connections still authenticating (tests lower them). */
  limits?: Partial<SecureServerLimits>;
}

export class AgentServer {
  private server: SecureServer | null = null;
  private session: PeerChannel | null = null;
  /** What a connected controller sends wrong, logged a few lines at a time. */
  private readonly peerLogs: LogLimiter;

  constructor(private readonly deps: AgentServerDeps) {
    this.peerLogs = new LogLimiter(deps.log);
  }

  async listen(host: string, port: number): Promise<number> {
    this.server = await listenSecure({
      farmKey: this.deps.farmKey,
      host,
      port,
      limits: this.deps.limits,
      log: this.deps.log,
      onPeer: (ws, peer) => this.onConnection(ws, peer),
    });
    return this.server.port;
  }

  /** Tells the connected controller (already greeted: the hello goes out on attach) what this agent runs now. */
  capabilitiesChanged(capabilities: MessageOf<'agent.capabilities'>['capabilities']): void {
    this.send({ type: 'agent.capabilities', capabilities });
  }

  /** Sends to the connected controller, if any. */
  send(message: Message): boolean {
    return this.session?.send(message) ?? false;
  }

  /** Streams a task's output to the connected controller; false when there is none or the stream broke. */
  async sendFile(path: string, ref: OutputRef, task: { taskId: string; attempt: number }): Promise<boolean> {
    const channel = this.session;
    if (!channel?.isOpen) return false;
    await channel.sendFile(path, ref, task);
    return true;
  }

  get connected(): boolean {
    return this.session?.isOpen ?? false;
  }

  async close(): Promise<void> {
    this.session?.close(CLOSE_CODES.shuttingDown, 'agent shutting down');
    const server = this.server;
    this.server = null;
    await server?.close();
    this.peerLogs.flush();
  }

  /** A controller that proved the farm key in the TLS handshake. */
  private onConnection(ws: WebSocket, peer: PeerInfo): void {
    const remote = `${peer.remote} (controller ${peer.controllerId})`;
    const channel = new PeerChannel(ws, {
      openIncoming: async (begin) => {
        if (begin.task) return { refuse: 'agents accept only input files' };
        if (!this.deps.cache.isAwaited(begin.file.sha256)) return { refuse: 'this input was not requested' };
        return { tempPath: this.deps.cache.tempPath() };
      },
    });
    channel.on('file', ({ begin, tempPath }) => {
      this.deps.cache.commit(tempPath, begin.file.sha256).catch((error) => this.deps.cache.fail(begin.file.sha256, String(error)));
    });
    channel.on('fileFailed', (begin, reason) => {
      if (!begin.task) this.deps.cache.fail(begin.file.sha256, `The input ${begin.file.name} did not arrive intact (${reason}).`);
    });
    channel.on('invalid', (error, count) => this.peerLogs.note(peer.remote, `dropped invalid message #${count} from ${remote}: ${error}`));
    channel.on('fault', (error) => this.peerLogs.note(peer.remote, `closed the connection of ${remote}: handling its message failed (${error})`));
    this.attach(channel, remote);
  }

  private attach(channel: PeerChannel, remote: string): void {
    const previous = this.session;
    this.session = channel;
    previous?.close(CLOSE_CODES.replaced, 'replaced by a newer controller connection');
    this.deps.log(`controller connected from ${remote}`);
    channel.onMessage = (message) => this.onMessage(channel, message);
    channel.on('close', () => {
      // The controller sends its jobs' lists again on its next connection.
      this.deps.lists.forgetFrom(channel);
      if (this.session !== channel) return;
      this.session = null;
      this.deps.cache.failAll('The controller disconnected before the input arrived.');
      this.deps.log(`controller ${remote} disconnected`);
    });
    channel.send(this.deps.hello());
  }

  private onMessage(channel: PeerChannel, message: Message): void {
    switch (message.type) {
      case 'task.assign':
        return this.deps.executor.start(message);
      case 'task.cancel':
        return this.deps.executor.cancel(message.taskId, message.attempt);
      case 'job.workspace':
        return this.deps.lists.set(message.jobId, message.workspace, channel);
      case 'job.ended':
        this.deps.lists.forget(message.jobId);
        this.deps.log(`job ${message.jobId} ended: its workspace goes once no task of it runs here`);
        return void this.deps.workspaces.end(message.jobId);
      case 'output.fetch':
        return void this.sendOutputs(channel, message.taskId, message.attempt, message.names);
      case 'output.ack':
        return void this.deps.hold.release(message.taskId, message.attempt);
      case 'input.prefetch':
        // Like a task's inputs, but nothing waits on them: one that cannot come is fetched again, or reported, by the task that needs it.
        for (const input of message.inputs) void this.deps.cache.obtain(input.sha256, input.size, () => this.send({ type: 'input.request', sha256: input.sha256 })).catch(() => undefined);
        return;
      case 'input.missing':
        return this.deps.cache.fail(message.sha256, `The controller no longer has the input: ${message.reason}`);
      case 'error':
        return this.peerLogs.note('controller errors', `controller reported: ${message.message}`);
      default:
        channel.send({ type: 'error', code: 'unsupported', message: `an agent does not accept "${message.type}"` });
    }
  }

  private async sendOutputs(channel: PeerChannel, taskId: string, attempt: number, names?: string[]): Promise<void> {
    const held = this.deps.hold.get(taskId, attempt);
    if (!held) {
      channel.send({ type: 'output.missing', taskId, attempt, reason: 'this agent holds no outputs for that task attempt' });
      return;
    }
    const wanted = names ? new Set(names) : null;
    try {
      for (const output of held.task.outputs) {
        if (!wanted || wanted.has(output.name)) await channel.sendFile(held.pathOf(output), output, { taskId, attempt });
      }
    } catch (error) {
      const reason = `sending outputs of ${taskId} stopped: ${(error as Error).message}`;
      this.deps.log(reason);
      if (channel.isOpen) channel.send({ type: 'output.missing', taskId, attempt, reason: reason.slice(0, 4000) });
    }
  }
}
