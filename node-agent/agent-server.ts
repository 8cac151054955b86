import type { IncomingMessage } from 'node:http';
import { WebSocketServer, type WebSocket } from 'ws';
import type { InputCache } from './input-cache.js';
import type { OutputHold } from './output-hold.js';
import {
  CLOSE_CODES,
  MAX_FRAME_BYTES,
  PeerChannel,
  runAgentHandshake,
  type Message,
  type MessageOf,
  type OutputRef,
} from './protocol/index.js';
import type { TaskExecutor } from './task-executor.js';

/**
 * The agent's WebSocket server. Every connection must pass the farm-key handshake before
 * anything else; one authenticated controller is served at a time (a newer one replaces
 * the older, which is how a restarted controller takes over). Tasks outlive connections:
 * what finishes while no controller is connected waits in the hold.
 */

export interface AgentServerDeps {
  farmKey: string;
  agentId: string;
  cache: InputCache;
  hold: OutputHold;
  executor: TaskExecutor;
  /**
   * The greeting, sent the moment a controller is authenticated (nothing may reach it before
   * the hello). It carries the capabilities confirmed so far; see `capabilitiesChanged`.
   */
  hello(): MessageOf<'agent.hello'>;
  log(line: string): void;
}

export class AgentServer {
  private wss: WebSocketServer | null = null;
  private session: PeerChannel | null = null;

  constructor(private readonly deps: AgentServerDeps) {}

  listen(host: string, port: number): Promise<number> {
    return new Promise((resolve, reject) => {
      const wss = new WebSocketServer({ host, port, maxPayload: MAX_FRAME_BYTES, perMessageDeflate: false });
      wss.once('error', (error: NodeJS.ErrnoException) => {
        reject(error.code === 'EADDRINUSE'
          ? new Error(`Port ${port} on ${host} is already in use; stop the other agent or pass --port to pick another.`)
          : error);
      });
      wss.once('listening', () => {
        this.wss = wss;
        resolve((wss.address() as { port: number }).port);
      });
      wss.on('connection', (ws, request) => this.onConnection(ws, request));
    });
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
    const wss = this.wss;
    if (!wss) return;
    for (const client of wss.clients) client.terminate();
    await new Promise<void>((resolve) => wss.close(() => resolve()));
    this.wss = null;
  }

  private onConnection(ws: WebSocket, request: IncomingMessage): void {
    const remote = `${request.socket.remoteAddress}:${request.socket.remotePort}`;
    let authenticated = false;
    const channel = new PeerChannel(ws, {
      openIncoming: async (begin) => {
        if (!authenticated) return { refuse: 'not authenticated' };
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
    channel.on('invalid', (error) => this.deps.log(`dropped an invalid message from ${remote}: ${error}`));
    runAgentHandshake(channel, {
      farmKey: this.deps.farmKey,
      agentId: this.deps.agentId,
      onAuthenticated: () => {
        authenticated = true;
        this.attach(channel, remote);
      },
    }).catch((error: Error) => this.deps.log(`refused ${remote}: ${error.message}`));
  }

  private attach(channel: PeerChannel, remote: string): void {
    const previous = this.session;
    this.session = channel;
    previous?.close(CLOSE_CODES.replaced, 'replaced by a newer controller connection');
    this.deps.log(`controller connected from ${remote}`);
    channel.onMessage = (message) => this.onMessage(channel, message);
    channel.on('close', () => {
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
        return this.deps.log(`controller reported: ${message.message}`);
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
