import { createHash } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { createServer, type Socket } from 'node:net';

/**
 * The raw-TCP baseline's receiver, run as its own process like an agent:
 *   node --import tsx bench/lib/tcp-sink.ts <port> <disk|null> [outPath]
 * `disk`: every byte is hashed (sha256) and written to outPath, as the agent does with an
 * input; `null`: bytes are only counted (the transport alone). When the sender half-closes,
 * it answers `<bytes> <sha256|->` once the file is closed, then closes. Listens on 127.0.0.1.
 */

const [portArg, mode = 'disk', outPath = ''] = process.argv.slice(2);

function serve(socket: Socket): void {
  let bytes = 0;
  if (mode === 'null') {
    socket.on('data', (chunk: Buffer) => (bytes += chunk.length));
    socket.on('end', () => socket.end(`${bytes} -\n`));
    return;
  }
  const hash = createHash('sha256');
  const out = createWriteStream(outPath, { highWaterMark: 1024 * 1024 });
  // Back-pressure like the agent: stop reading the socket while the disk is behind.
  socket.on('data', (chunk: Buffer) => {
    bytes += chunk.length;
    hash.update(chunk);
    if (!out.write(chunk)) {
      socket.pause();
      out.once('drain', () => socket.resume());
    }
  });
  socket.on('end', () => out.end(() => socket.end(`${bytes} ${hash.digest('hex')}\n`)));
  socket.on('error', () => out.destroy());
}

const server = createServer({ allowHalfOpen: true }, serve);
server.listen(Number(portArg), '127.0.0.1', () => console.log(`listening ${portArg}`));
const stop = () => server.close(() => process.exit(0));
process.once('SIGTERM', stop);
process.once('SIGINT', stop);
setTimeout(() => process.exit(0), 10 * 60_000).unref();
