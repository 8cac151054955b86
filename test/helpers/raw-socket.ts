import { connect, type Socket } from 'node:net';

/**
 * A TCP connection that speaks no protocol: it writes what a test gives it (all at once, or a
 * byte at a time like slowloris) and reports whether and when the server closed it. Loopback
 * only; `localAddress` picks another 127.x source address, so per-address limits can be tested
 * from several "peers" on one machine.
 */

export interface RawOutcome {
  /** The server closed (or reset) the connection before the timeout. */
  closed: boolean;
  /** Time from connect until it closed (or until the timeout). */
  ms: number;
  /** Bytes the server sent back. */
  received: Buffer;
}

export interface RawOptions {
  port: number;
  host?: string;
  localAddress?: string;
  /** Written once connected. */
  bytes?: Buffer | string;
  /** Half-close after writing (the server then sees the end of the stream). */
  end?: boolean;
  /** Slowloris: write these bytes one at a time, this many ms apart, until closed or out of bytes. */
  dribble?: { bytes: Buffer | string; everyMs: number };
  /** Give up (and destroy the socket) after this long. */
  timeoutMs: number;
}

export function rawConnection(o: RawOptions): Promise<RawOutcome> {
  return new Promise((resolve) => {
    const started = Date.now();
    const chunks: Buffer[] = [];
    let dribbleTimer: NodeJS.Timeout | null = null;
    const socket: Socket = connect({ port: o.port, host: o.host ?? '127.0.0.1', ...(o.localAddress ? { localAddress: o.localAddress } : {}) });
    const finish = (closed: boolean) => {
      clearTimeout(timer);
      if (dribbleTimer) clearInterval(dribbleTimer);
      socket.destroy();
      resolve({ closed, ms: Date.now() - started, received: Buffer.concat(chunks) });
    };
    const timer = setTimeout(() => finish(false), o.timeoutMs);
    socket.on('data', (d) => {
      if (chunks.length < 64) chunks.push(d);
    });
    socket.on('error', () => undefined); // a reset is a close too; 'close' follows
    socket.on('close', () => finish(true));
    socket.on('connect', () => {
      if (o.bytes !== undefined) socket.write(o.bytes);
      if (o.dribble) {
        const bytes = Buffer.from(o.dribble.bytes);
        let i = 0;
        dribbleTimer = setInterval(() => {
          if (i >= bytes.length || socket.destroyed) return void (dribbleTimer && clearInterval(dribbleTimer));
          socket.write(bytes.subarray(i, i + 1));
          i++;
        }, o.dribble.everyMs);
      }
      if (o.end) socket.end();
    });
  });
}

/** Runs `work` over `items` with at most `width` at a time (bounded parallelism for floods). */
export async function inBatches<T, R>(items: readonly T[], width: number, work: (item: T, index: number) => Promise<R>): Promise<R[]> {
  const results: R[] = new Array(items.length);
  let next = 0;
  await Promise.all(Array.from({ length: Math.min(width, items.length) }, async () => {
    while (next < items.length) {
      const i = next++;
      results[i] = await work(items[i]!, i);
    }
  }));
  return results;
}
