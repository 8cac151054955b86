import { WebSocketServer } from 'ws';

/**
 * The raw-WebSocket baseline's far end: answers every message with a reply of a fixed size,
 * nothing else (no parsing, no validation). Used in this process or as its own process:
 *   node --import tsx bench/lib/ws-echo-server.ts <port> <replyBytes>
 * It prints "listening <port>" and stops on SIGTERM or when its parent goes away.
 */
export function startEchoServer(port: number, replyBytes: number): Promise<{ port: number; close(): Promise<void> }> {
  const reply = 'x'.repeat(replyBytes);
  return new Promise((resolve, reject) => {
    const wss = new WebSocketServer({ host: '127.0.0.1', port, perMessageDeflate: false });
    wss.once('error', reject);
    wss.on('connection', (ws) => {
      ws.on('message', () => ws.send(reply));
    });
    wss.once('listening', () => {
      resolve({
        port: (wss.address() as { port: number }).port,
        close: () => new Promise<void>((done) => {
          for (const client of wss.clients) client.terminate();
          wss.close(() => done());
        }),
      });
    });
  });
}

if (process.argv[1]?.endsWith('ws-echo-server.ts')) {
  const port = Number(process.argv[2]);
  const replyBytes = Number(process.argv[3] ?? 100);
  const server = await startEchoServer(port, replyBytes);
  console.log(`listening ${server.port}`);
  const stop = () => void server.close().then(() => process.exit(0));
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
  process.once('disconnect', stop);
  // Never outlive a benchmark by more than a few minutes, whatever happens to the parent.
  setTimeout(() => process.exit(0), 10 * 60_000).unref();
}
