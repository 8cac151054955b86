import { createHash } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { rm } from 'node:fs/promises';
import { createServer as createTcpServer, type Server as NetServer, type Socket } from 'node:net';
import { join } from 'node:path';
import { createServer as createTlsServer } from 'node:tls';
import { PeerChannel } from '../../node-agent/channel/peer-channel.js';
import { listenSecure } from '../../node-agent/channel/secure-server.js';
import { tlsServerOptions } from '../../node-agent/channel/tls-psk.js';

/**
 * The transfer benchmark's receiver, run as its own process like an agent:
 *   node --import tsx bench/lib/transfer-sink.ts <port> <tcp|tls|channel> <outDir> <bytes>
 * (the farm key in FARMHAND_BENCH_FARM_KEY for tls and channel). Listens on 127.0.0.1.
 * - tcp: a plain `net` socket; tls: a bare TLS-PSK socket with the channel's own options
 *   (tls-psk.ts: TLS 1.2, ECDHE-PSK-CHACHA20-POLY1305); both hash (sha256) and write every
 *   byte to a file, stopping the socket while the disk is behind, as the agent does.
 * - channel: Farmhand's channel itself, listenSecure + PeerChannel, which hashes and writes
 *   an incoming file (and checks it against file.begin).
 * Once a whole file (<bytes>) has arrived and its file is closed, it prints
 * `done <bytes> <sha256>` on stdout (the one signal for all modes, so all are timed alike),
 * deletes the file, and waits for the next connection.
 */

const [portArg, mode = 'tcp', outDir = '.', bytesArg = '0'] = process.argv.slice(2);
const expected = Number(bytesArg);
const farmKey = process.env.FARMHAND_BENCH_FARM_KEY ?? '';
let files = 0;

function report(bytes: number, sha256: string, path: string): void {
  process.stdout.write(`done ${bytes} ${sha256}\n`);
  void rm(path, { force: true });
}

/** Raw receiver: hash and write like the agent, with back-pressure from the disk. */
function serveRaw(socket: Socket): void {
  socket.on('error', () => undefined);
  let bytes = 0;
  const path = join(outDir, `${mode}-${++files}.bin`);
  const hash = createHash('sha256');
  const out = createWriteStream(path, { highWaterMark: 1024 * 1024 });
  socket.on('data', (chunk: Buffer) => {
    bytes += chunk.length;
    hash.update(chunk);
    if (!out.write(chunk)) {
      socket.pause();
      out.once('drain', () => socket.resume());
    }
    if (bytes === expected) out.end(() => report(bytes, hash.digest('hex'), path));
  });
  socket.on('close', () => out.destroyed || out.writableEnded || out.destroy());
}

async function main(): Promise<void> {
  const port = Number(portArg);
  if (mode === 'channel') {
    await listenSecure({
      farmKey,
      host: '127.0.0.1',
      port,
      log: (line) => process.stderr.write(`${line}\n`),
      onPeer: (ws) => {
        const channel = new PeerChannel(ws, { openIncoming: async () => ({ tempPath: join(outDir, `channel-${++files}.bin`) }) });
        channel.on('file', (file) => report(file.begin.file.size, file.begin.file.sha256, file.tempPath));
        channel.on('fileFailed', (_begin, reason) => process.stdout.write(`failed ${reason}\n`));
      },
    });
  } else {
    const server: NetServer = mode === 'tls' ? createTlsServer(tlsServerOptions(farmKey), serveRaw) : createTcpServer(serveRaw);
    await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  }
  process.stdout.write(`listening ${port}\n`);
}

const stop = () => process.exit(0);
process.once('SIGTERM', stop);
process.once('SIGINT', stop);
process.once('disconnect', stop);
// Never outlive a benchmark by more than a few minutes, whatever happens to the parent.
setTimeout(stop, 10 * 60_000).unref();
await main();
