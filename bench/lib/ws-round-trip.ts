import { WebSocket } from 'ws';

/**
 * Sequential request/response round trips over one WebSocket: send `request`, wait for the
 * reply, next. Returns each round trip in ms (after `warmup` unrecorded ones).
 */
export async function measureRoundTrips(url: string, request: string, count: number, warmup: number, timeoutMs: number): Promise<number[]> {
  const ws = new WebSocket(url, { perMessageDeflate: false });
  await new Promise<void>((resolve, reject) => {
    ws.once('open', () => resolve());
    ws.once('error', reject);
  });
  const samples: number[] = [];
  const deadline = performance.now() + timeoutMs;
  try {
    await new Promise<void>((resolve, reject) => {
      let sent = 0;
      let sentAt = 0;
      const next = () => {
        if (sent >= warmup + count) return resolve();
        if (performance.now() > deadline) return reject(new Error(`raw ws round trips did not finish within ${timeoutMs} ms`));
        sent++;
        sentAt = performance.now();
        ws.send(request);
      };
      ws.on('message', () => {
        const rtt = performance.now() - sentAt;
        if (sent > warmup) samples.push(rtt);
        next();
      });
      ws.once('close', () => reject(new Error('the echo server closed the connection')));
      next();
    });
  } finally {
    ws.removeAllListeners('close');
    ws.terminate();
  }
  return samples;
}
