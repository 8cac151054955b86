import type { RawData, WebSocket } from 'ws';
import { connectSecure } from '../../node-agent/channel/index.js';

/**
 * A raw session with an agent as a peer holding the farm key: the real secure channel
 * (connectSecure), but frames go out exactly as the test writes them, with no PeerChannel to
 * validate or frame them. What the agent answers is kept as text.
 */
export interface RawSession {
  ws: WebSocket;
  /** Text frames received, in order (the agent's hello first). */
  texts: string[];
  /** Resolves with the close code and reason once the connection is closed, by either side. */
  closed: Promise<{ code: number; reason: string }>;
  isOpen(): boolean;
  /** Resolves with the first received text (already received ones count) that `match` accepts. */
  waitForText(match: (text: string) => boolean, what: string, timeoutMs?: number): Promise<string>;
  /** Sends a frame and resolves once ws has written it (or the connection is gone). */
  send(data: string | Buffer, binary?: boolean): Promise<void>;
  close(): Promise<void>;
}

export async function openRawSession(url: string, farmKey: string, controllerId = 'fuzzer'): Promise<RawSession> {
  const ws = connectSecure(url, { farmKey, controllerId });
  const texts: string[] = [];
  const waiters = new Set<() => void>();
  ws.on('message', (data: RawData, isBinary) => {
    if (isBinary) return;
    if (texts.length < 10_000) texts.push(data.toString());
    for (const w of [...waiters]) w();
  });
  ws.on('error', () => undefined); // the close that follows says enough
  const closed = new Promise<{ code: number; reason: string }>((resolve) => ws.once('close', (code, reason) => {
    for (const w of [...waiters]) w();
    resolve({ code, reason: reason.toString() });
  }));
  await new Promise<void>((resolve, reject) => {
    ws.once('open', () => resolve());
    ws.once('close', (code) => reject(new Error(`the secure channel did not open (close ${code})`)));
  });
  const session: RawSession = {
    ws,
    texts,
    closed,
    isOpen: () => ws.readyState === ws.OPEN,
    waitForText(match, what, timeoutMs = 5000) {
      return new Promise((resolve, reject) => {
        const check = () => {
          const hit = texts.find(match);
          if (hit !== undefined) {
            clearTimeout(timer);
            waiters.delete(check);
            resolve(hit);
          } else if (ws.readyState === ws.CLOSED) {
            clearTimeout(timer);
            waiters.delete(check);
            reject(new Error(`the connection closed while waiting for ${what}`));
          }
        };
        const timer = setTimeout(() => {
          waiters.delete(check);
          reject(new Error(`timed out after ${timeoutMs} ms waiting for ${what}; received ${texts.length} frame(s)`));
        }, timeoutMs);
        waiters.add(check);
        check();
      });
    },
    send(data, binary = false) {
      if (ws.readyState !== ws.OPEN) return Promise.resolve();
      return new Promise((resolve) => ws.send(data, { binary }, () => resolve()));
    },
    async close() {
      if (ws.readyState === ws.CLOSED) return;
      ws.close(1000, 'done');
      const timer = setTimeout(() => ws.terminate(), 1000);
      await closed;
      clearTimeout(timer);
    },
  };
  await session.waitForText((t) => t.includes('"agent.hello"'), 'the agent\'s hello');
  return session;
}
