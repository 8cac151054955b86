import { EventEmitter } from 'node:events';
import { createHash } from 'node:crypto';
import { createWriteStream, type WriteStream } from 'node:fs';
import { open, rm, stat } from 'node:fs/promises';
import type { WebSocket, RawData } from 'ws';
import { decodeChunk } from '../protocol/binary-frame.js';
import { readFrameRun, recordFrameDataBytes } from './file-frames.js';
import { CLOSE_CODES, MAX_CONTROL_MESSAGE_BYTES, MAX_FILE_BYTES, RECEIVE_HIGH_WATER_BYTES, SEND_HIGH_WATER_BYTES } from '../protocol/constants.js';
import { encodeMessage, parseMessage, type FileRef, type Message, type MessageOf } from '../protocol/messages.js';

/**
 * One authenticated WebSocket (inside the TLS-PSK channel), either end: validated control messages in, control messages
 * out, and files in both directions as binary chunks with back-pressure on both sides
 * (the sender waits on the socket's buffer; the receiver pauses the socket while its disk
 * catches up). Incoming files are hashed as they arrive and only handed over when their
 * size and sha256 match what `file.begin` promised.
 */

/**
 * The `fileFailed` code of a stream that sent more bytes than its `file.begin` announced: not a
 * damaged transfer (which is fetched again) but a sender that broke its word.
 */
export const STREAM_OVERRUN = 'FARMHAND_STREAM_OVERRUN';

/** Invalid messages answered with an error reply; later ones are only counted. */
const MAX_INVALID_REPLIES = 10;
/** Invalid messages after which the connection is closed. */
const MAX_INVALID_MESSAGES = 100;

export interface IncomingFile {
  begin: MessageOf<'file.begin'>;
  /** Where the verified bytes are; the receiver of the event moves or deletes it. */
  tempPath: string;
}

export interface PeerChannelOptions {
  /** Where to write an incoming file, or a reason to refuse it. */
  openIncoming(begin: MessageOf<'file.begin'>): Promise<{ tempPath: string } | { refuse: string }>;
  maxMessageBytes?: number;
}

interface Receiving {
  begin: MessageOf<'file.begin'>;
  tempPath: string;
  out: WriteStream | null;
  hash: ReturnType<typeof createHash>;
  received: number;
  failed: string | null;
  /** The errno code of a failed write or open (ENOSPC: the receiver's disk is full, not the sender's fault). */
  code?: string;
  /** Chunks that arrived while the target file was being opened; null once it is open. */
  opening: Buffer[] | null;
  ended: boolean;
}

/** What the channel uses of the net.Socket that ws keeps in its private `_socket`. */
type UnderlyingSocket = NodeJS.EventEmitter & { cork(): void; uncork(): void; destroy(): void; destroyed: boolean };

export interface PeerChannelEvents {
  file: [IncomingFile];
  /** The third argument carries the errno code when the receiver could not write (ENOSPC, EDQUOT: its own disk is full). */
  fileFailed: [MessageOf<'file.begin'>, string, { code?: string }];
  /** A message that failed validation (answered with an error and dropped), and how many this connection sent so far. */
  invalid: [string, number];
  /** A handler threw on a peer's message; the connection is being closed. */
  fault: [string];
  close: [number, string];
}

export class PeerChannel extends EventEmitter<PeerChannelEvents> {
  private readonly receiving = new Map<number, Receiving>();
  private nextStreamId = 1;
  private closed = false;
  /** Incoming streams whose disk is behind: the socket stays paused while any remain. */
  private readonly pausedBy = new Set<Receiving>();
  private readonly maxMessageBytes: number;
  /** True while the socket is corked until this loop iteration's check phase (see `corkForThisTurn`). */
  private corked = false;
  private invalidCount = 0;
  /**
   * Receives every validated control message. A plain property rather than an event so the
   * owner can swap it synchronously (handshake → session) without losing a message that
   * arrived in the same TCP read.
   */
  onMessage: (message: Message) => void = () => undefined;

  constructor(readonly ws: WebSocket, private readonly options: PeerChannelOptions) {
    super();
    this.maxMessageBytes = options.maxMessageBytes ?? MAX_CONTROL_MESSAGE_BYTES;
    ws.on('message', (data, isBinary) => {
      // A connection being closed is not read any more: ws goes on emitting what the peer sends
      // until its close frame arrives (up to 30 s), and a flood cut off at 100 invalid messages
      // was otherwise parsed to the end (2,000 more in the fuzz test, +50 MB of RSS).
      if (ws.readyState !== ws.OPEN) return;
      // Nothing a peer sends may stop the process: a handler that throws closes this connection only.
      try {
        this.onFrame(data, isBinary);
      } catch (error) {
        this.fault(error);
      }
    });
    ws.on('close', (code, reason) => {
      this.closed = true;
      for (const r of this.receiving.values()) this.discard(r, 'connection closed');
      this.receiving.clear();
      this.emit('close', code, reason.toString());
    });
    ws.on('error', () => {
      // 'close' follows; errors are reported there. After a protocol error (a frame over the size
      // limit, a broken frame) ws sends its close frame but goes on reading, and discarding, what
      // the peer sends for up to 30 s: 8 MiB per oversized frame, which left the RSS 35–44 MB
      // higher for good (fuzz-controller.test.ts). Cut the socket a moment after the close frame
      // is out: the moment lets the peer read why (1009) instead of seeing a reset (1006).
      const socket = this.socket();
      socket?.once('finish', () => setTimeout(() => socket.destroy(), 1000).unref());
    });
  }

  get isOpen(): boolean {
    return !this.closed && this.ws.readyState === this.ws.OPEN;
  }

  send(message: Message): boolean {
    if (!this.isOpen) return false;
    this.corkForThisTurn();
    this.ws.send(encodeMessage(message));
    return true;
  }

  /** Streams a file; resolves once every byte is handed to the socket. Rejects if the connection closes. */
  async sendFile(path: string, file: FileRef, task?: { taskId: string; attempt: number }): Promise<void> {
    const streamId = this.nextStreamId++;
    if (this.nextStreamId > 0xffffffff) this.nextStreamId = 1;
    const handle = await open(path, 'r');
    try {
      if (!this.send({ type: 'file.begin', streamId, file, ...(task ? { task } : {}) })) throw new Error('connection closed');
      const dataBytes = recordFrameDataBytes(this.ws);
      let position = 0;
      while (position < file.size) {
        await this.waitForRoom();
        const run = await readFrameRun(handle, { streamId, dataBytes, position, size: file.size });
        if (!run) throw new Error(`file ${path} changed while being sent`);
        for (const frame of run.frames) this.ws.send(frame, { binary: true }, run.written);
        position += run.length;
      }
      if (!this.send({ type: 'file.end', streamId })) throw new Error('connection closed');
    } catch (error) {
      this.send({ type: 'file.abort', streamId, reason: (error as Error).message.slice(0, 500) });
      throw error;
    } finally {
      await handle.close();
    }
  }

  close(code: number, reason: string): void {
    if (this.closed) return;
    try {
      this.ws.close(code, reason.slice(0, 120));
    } catch {
      this.ws.terminate();
    }
  }

  /**
   * Messages sent in one turn of the event loop leave in one socket write instead of one system
   * call each: the replies to every frame of one TCP read, and then whatever a setImmediate
   * queued before the uncork (the scheduler's dispatch) — so an ack and the next assignments
   * share a write. Each message is still its own WebSocket frame; only the TCP write is shared.
   * The uncork runs in the same loop iteration's check phase, so nothing waits for more I/O.
   */
  private corkForThisTurn(): void {
    if (this.corked) return;
    const socket = this.socket();
    if (!socket || socket.destroyed) return;
    socket.cork();
    this.corked = true;
    setImmediate(() => {
      this.corked = false;
      socket.uncork();
    });
  }

  /** The TCP socket under the WebSocket (ws keeps it private; it is the only way to cork or await 'drain'). */
  private socket(): UnderlyingSocket | undefined {
    return (this.ws as unknown as { _socket?: UnderlyingSocket })._socket;
  }

  /** Back-pressure on the sending side: wait while the socket holds more than the high-water mark. */
  private async waitForRoom(): Promise<void> {
    while (this.ws.bufferedAmount > SEND_HIGH_WATER_BYTES) {
      if (!this.isOpen) throw new Error('connection closed');
      const socket = this.socket();
      await new Promise<void>((resolve) => {
        const done = () => {
          clearTimeout(timer);
          socket?.off('drain', done);
          this.ws.off('close', done);
          resolve();
        };
        const timer = setTimeout(done, 250); // re-check even if a drain was missed
        socket?.once('drain', done);
        this.ws.once('close', done);
      });
    }
    if (!this.isOpen) throw new Error('connection closed');
  }

  private onFrame(data: RawData, isBinary: boolean): void {
    if (isBinary) return this.onChunk(toBuffer(data));
    const text = data.toString();
    const parsed = parseMessage(text, this.maxMessageBytes);
    if (!parsed.ok) return this.onInvalid(parsed.error);
    const message = parsed.message;
    switch (message.type) {
      case 'file.begin':
        this.onBegin(message).catch((error) => this.fault(error));
        return;
      case 'file.end':
        this.onEnd(message.streamId).catch((error) => this.fault(error));
        return;
      case 'file.abort': {
        const r = this.receiving.get(message.streamId);
        if (r) this.discard(r, `sender aborted: ${message.reason}`);
        return;
      }
      default:
        this.onMessage(message);
    }
  }

  /**
   * An invalid message is answered with an error and dropped; the first few are reported to the
   * owner. A peer that keeps sending them is cut off: it holds the farm key, so it is a broken or
   * hostile agent or controller, and answering a flood one by one only amplifies it.
   */
  private onInvalid(error: string): void {
    this.invalidCount++;
    if (this.invalidCount <= MAX_INVALID_REPLIES) this.send({ type: 'error', code: 'invalid-message', message: error });
    this.emit('invalid', error, this.invalidCount);
    if (this.invalidCount >= MAX_INVALID_MESSAGES) this.close(CLOSE_CODES.tooManyInvalid, `${this.invalidCount} invalid messages; closing the connection`);
  }

  /** A handler threw on what the peer sent: report it and close this connection, never the process. */
  private fault(error: unknown): void {
    const message = error instanceof Error ? error.message : String(error);
    this.emit('fault', message.slice(0, 500));
    this.close(CLOSE_CODES.internalFault, 'internal error while handling a message');
  }

  private async onBegin(begin: MessageOf<'file.begin'>): Promise<void> {
    if (this.receiving.has(begin.streamId) || begin.file.size > MAX_FILE_BYTES) {
      this.emit('fileFailed', begin, 'duplicate stream or file too large', {});
      return;
    }
    // Registered synchronously, so chunks that arrive while the file is opened are kept.
    const r: Receiving = { begin, tempPath: '', out: null, hash: createHash('sha256'), received: 0, failed: null, opening: [], ended: false };
    this.receiving.set(begin.streamId, r);
    this.pauseFor(r);
    try {
      const target = await this.options.openIncoming(begin);
      // Discarded while it opened (the connection closed, or the stream overran its size): open nothing.
      if (this.receiving.get(begin.streamId) !== r) {
        if ('tempPath' in target) await rm(target.tempPath, { force: true });
        return;
      }
      if ('refuse' in target) {
        r.failed = target.refuse;
      } else {
        r.tempPath = target.tempPath;
        // A few chunks may queue for the disk before the socket is paused: with the default
        // 16 KiB mark every 1 MiB chunk paused and resumed the socket.
        const out = createWriteStream(target.tempPath, { highWaterMark: RECEIVE_HIGH_WATER_BYTES });
        out.on('error', (error: NodeJS.ErrnoException) => {
          r.failed ??= `cannot write ${target.tempPath}: ${error.message}`;
          r.code ??= error.code;
        });
        r.out = out;
      }
    } catch (error) {
      r.failed = (error as Error).message;
      r.code = (error as NodeJS.ErrnoException).code;
    }
    const early = r.opening ?? [];
    r.opening = null;
    r.received = 0; // counted again as they are written
    for (const chunk of early) this.writeChunk(r, chunk);
    if (r.out?.writableNeedDrain !== true) this.resumeFor(r);
    if (r.ended) await this.finish(r);
  }

  private onChunk(frame: Buffer): void {
    const chunk = decodeChunk(frame);
    if (!chunk) return;
    const r = this.receiving.get(chunk.streamId);
    if (!r) return; // chunks of an unknown or discarded stream are dropped
    if (!r.opening) return this.writeChunk(r, chunk.data);
    // While the file opens the socket is paused; what one read already held waits here, within the announced size.
    r.received += chunk.data.length;
    if (r.received > r.begin.file.size) return this.discard(r, `received more than the announced ${r.begin.file.size} bytes`, STREAM_OVERRUN);
    r.opening.push(chunk.data);
  }

  private writeChunk(r: Receiving, data: Buffer): void {
    r.received += data.length;
    if (r.failed || !r.out) return;
    if (r.received > r.begin.file.size) {
      // Cut at the announced size: nothing more of this stream is written or even kept.
      this.discard(r, `received more than the announced ${r.begin.file.size} bytes`, STREAM_OVERRUN);
      return;
    }
    r.hash.update(data);
    // Back-pressure on the receiving side: stop reading the socket until the disk drains.
    if (!r.out.write(data) && !this.pausedBy.has(r)) {
      this.pauseFor(r);
      r.out.once('drain', () => this.resumeFor(r));
    }
  }

  private async onEnd(streamId: number): Promise<void> {
    const r = this.receiving.get(streamId);
    if (!r) return;
    r.ended = true;
    if (!r.opening) await this.finish(r); // otherwise onBegin finishes it once the file is open
  }

  /** Checks size and hash of a completely received file and hands it over (or reports why not). */
  private async finish(r: Receiving): Promise<void> {
    this.receiving.delete(r.begin.streamId);
    this.resumeFor(r);
    const out = r.out;
    if (out && !out.destroyed) await new Promise<void>((resolve) => out.end(() => resolve()));
    // A write error can settle the stream before its 'error' event is emitted: read it from the stream.
    const writeError = out?.errored as NodeJS.ErrnoException | null | undefined;
    if (writeError) {
      r.failed ??= `cannot write ${r.tempPath}: ${writeError.message}`;
      r.code ??= writeError.code;
    }
    const sha256 = r.hash.digest('hex');
    let failure = r.failed;
    if (!failure && r.received !== r.begin.file.size) failure = `received ${r.received} of ${r.begin.file.size} bytes`;
    if (!failure && sha256 !== r.begin.file.sha256) failure = `sha256 mismatch (got ${sha256.slice(0, 12)}…, expected ${r.begin.file.sha256.slice(0, 12)}…)`;
    if (!failure) {
      const size = await stat(r.tempPath).then((s) => s.size, () => -1);
      if (size !== r.begin.file.size) failure = `wrote ${size} of ${r.begin.file.size} bytes to disk`;
    }
    if (failure) {
      if (r.tempPath) await rm(r.tempPath, { force: true });
      this.emit('fileFailed', r.begin, failure, r.code ? { code: r.code } : {});
      return;
    }
    this.emit('file', { begin: r.begin, tempPath: r.tempPath });
  }

  private pauseFor(r: Receiving): void {
    this.pausedBy.add(r);
    if (this.pausedBy.size === 1) this.ws.pause();
  }

  private resumeFor(r: Receiving): void {
    if (!this.pausedBy.delete(r)) return;
    if (this.pausedBy.size === 0 && !this.closed) this.ws.resume();
  }

  private discard(r: Receiving, reason: string, code?: string): void {
    this.receiving.delete(r.begin.streamId);
    this.resumeFor(r);
    r.failed ??= reason;
    if (r.out) r.out.destroy();
    if (r.tempPath) void rm(r.tempPath, { force: true });
    this.emit('fileFailed', r.begin, reason, code ? { code } : {});
  }
}

function toBuffer(data: RawData): Buffer {
  if (Buffer.isBuffer(data)) return data;
  if (Array.isArray(data)) return Buffer.concat(data);
  return Buffer.from(data as ArrayBuffer);
}
