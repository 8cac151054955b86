import { connect, createServer, type Server, type Socket } from 'node:net';

/**
 * A relay on loopback between a controller and an agent, as an attacker on the LAN would run
 * it: it holds no key, passes bytes both ways, records them, and may change them on the way
 * (`tamper`). What it recorded is what such a relay learns.
 */

export type Direction = 'toAgent' | 'toController';

export interface RelayedConnection {
  /** Bytes from the controller to the agent, in order. */
  toAgent: Buffer[];
  /** Bytes from the agent to the controller, in order. */
  toController: Buffer[];
  /** Set once both sides are closed. */
  closedAt: number | null;
  /** When the tamper function first changed a byte of this connection. */
  tamperedAt: number | null;
}

export interface TcpRelay {
  port: number;
  connections: RelayedConnection[];
  /** Everything recorded, both directions, all connections. */
  recorded(): Buffer;
  close(): Promise<void>;
}

/** Bytes recorded at most per direction and connection (beyond, the relay only passes them on). */
const RECORD_LIMIT = 64 * 1024 * 1024;

/**
 * `tamper(direction, chunk, offset)` sees every chunk with its offset in that direction of the
 * connection and returns what to pass on instead (or the chunk itself).
 */
export async function startTcpRelay(o: { targetPort: number; tamper?: (direction: Direction, chunk: Buffer, offset: number) => Buffer }): Promise<TcpRelay> {
  const connections: RelayedConnection[] = [];
  const sockets = new Set<Socket>();
  const server: Server = createServer((client) => {
    const c: RelayedConnection = { toAgent: [], toController: [], closedAt: null, tamperedAt: null };
    connections.push(c);
    const upstream = connect({ port: o.targetPort, host: '127.0.0.1' });
    for (const s of [client, upstream]) {
      sockets.add(s);
      s.on('error', () => undefined); // a reset on one side closes the other; 'close' follows
    }
    let closed = 0;
    const pipe = (from: Socket, to: Socket, direction: Direction, record: Buffer[]) => {
      let offset = 0;
      let kept = 0;
      from.on('data', (chunk: Buffer) => {
        const out = o.tamper ? o.tamper(direction, chunk, offset) : chunk;
        if (out !== chunk && !out.equals(chunk)) c.tamperedAt ??= Date.now();
        offset += chunk.length;
        if (kept < RECORD_LIMIT) {
          record.push(Buffer.from(chunk));
          kept += chunk.length;
        }
        if (!to.write(out)) {
          from.pause();
          to.once('drain', () => from.resume());
        }
      });
      from.on('close', () => {
        sockets.delete(from);
        to.destroy();
        if (++closed === 2) c.closedAt = Date.now();
      });
    };
    pipe(client, upstream, 'toAgent', c.toAgent);
    pipe(upstream, client, 'toController', c.toController);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  return {
    port: (server.address() as { port: number }).port,
    connections,
    recorded: () => Buffer.concat(connections.flatMap((c) => [...c.toAgent, ...c.toController])),
    async close() {
      for (const s of sockets) s.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
