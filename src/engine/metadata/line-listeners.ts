// The TCP and UDP title listeners: playout systems send one "Artist - Title" per line. They deliver
// raw line bytes (decoding and parsing are the caller's, and pure); what is not a line (too long) is
// reported as a drop. A client can hold at most one line in memory and a few connections at once,
// so nothing a sender does can grow the engine's memory or reach anything but the title.
import dgram from 'node:dgram';
import net from 'node:net';
import { isIPv6 } from 'node:net';
import type { DropReason } from './types.js';
import { log } from '../log.js';

const debug = log('metadata:listen');

export const MAX_LINE_BYTES = 4096;
export const MAX_TCP_CLIENTS = 16;
/** A playout system may keep its connection open between titles; a silent one is let go after this. */
export const TCP_IDLE_MS = 10 * 60_000;

export interface LineHandlers {
  onLine(bytes: Buffer): void;
  onDrop(reason: DropReason, detail: string): void;
}

export interface ListenerStatus {
  listening: boolean;
  port: number | null;
  error: string | null;
}

export interface LineListener {
  readonly status: ListenerStatus;
  close(): Promise<void>;
}

/** Splits a byte stream into lines; a line longer than the cap is dropped whole, up to its newline. */
export class LineSplitter {
  private pending: Buffer[] = [];
  private pendingBytes = 0;
  private skipping = false;

  constructor(
    private readonly handlers: LineHandlers,
    private readonly maxBytes = MAX_LINE_BYTES,
  ) {}

  push(chunk: Buffer): void {
    let start = 0;
    for (let nl = chunk.indexOf(0x0a, start); nl >= 0; nl = chunk.indexOf(0x0a, start)) {
      this.append(chunk.subarray(start, nl));
      this.emit();
      start = nl + 1;
    }
    this.append(chunk.subarray(start));
  }

  /** The sender closed: a last line without a newline still counts. */
  end(): void {
    if (this.pendingBytes > 0 || this.skipping) this.emit();
  }

  private append(part: Buffer): void {
    if (this.skipping || part.length === 0) return;
    if (this.pendingBytes + part.length > this.maxBytes) {
      this.skipping = true;
      this.pending = [];
      this.pendingBytes = 0;
      return;
    }
    this.pending.push(part);
    this.pendingBytes += part.length;
  }

  private emit(): void {
    if (this.skipping) {
      this.handlers.onDrop('too_long', `line longer than ${this.maxBytes} bytes`);
    } else {
      const line = Buffer.concat(this.pending);
      if (line.toString('latin1').trim() !== '') this.handlers.onLine(line);
    }
    this.pending = [];
    this.pendingBytes = 0;
    this.skipping = false;
  }
}

function describe(err: NodeJS.ErrnoException, port: number): string {
  if (err.code === 'EADDRINUSE') return `port ${port} is already in use`;
  if (err.code === 'EACCES') return `no permission to listen on port ${port}`;
  if (err.code === 'EADDRNOTAVAIL') return 'the bind address is not an address of this box';
  return err.message;
}

export function listenTcp(port: number, bindAddress: string, handlers: LineHandlers): Promise<LineListener> {
  const sockets = new Set<net.Socket>();
  const server = net.createServer((socket) => {
    sockets.add(socket);
    const splitter = new LineSplitter(handlers);
    socket.setTimeout(TCP_IDLE_MS, () => socket.destroy());
    socket.on('data', (chunk: Buffer) => splitter.push(chunk));
    socket.on('end', () => {
      splitter.end();
      socket.end();
    });
    socket.on('error', () => {});
    socket.on('close', () => sockets.delete(socket));
  });
  server.maxConnections = MAX_TCP_CLIENTS;
  const status: ListenerStatus = { listening: false, port, error: null };
  return new Promise((resolve) => {
    const listener: LineListener = {
      status,
      close: () =>
        new Promise<void>((done) => {
          for (const socket of sockets) socket.destroy();
          status.listening = false;
          if (!server.listening) return done();
          server.close(() => done());
        }),
    };
    server.once('error', (err: NodeJS.ErrnoException) => {
      status.error = describe(err, port);
      debug('tcp %d: %s', port, status.error);
      resolve(listener);
    });
    server.listen(port, bindAddress, () => {
      status.listening = true;
      debug('tcp listening on %s:%d', bindAddress, port);
      resolve(listener);
    });
  });
}

export function listenUdp(port: number, bindAddress: string, handlers: LineHandlers): Promise<LineListener> {
  const socket = dgram.createSocket(isIPv6(bindAddress) ? 'udp6' : 'udp4');
  const status: ListenerStatus = { listening: false, port, error: null };
  socket.on('message', (msg: Buffer) => {
    if (msg.length > MAX_LINE_BYTES) {
      handlers.onDrop('too_long', `datagram longer than ${MAX_LINE_BYTES} bytes`);
      return;
    }
    const splitter = new LineSplitter(handlers);
    splitter.push(msg);
    splitter.end();
  });
  return new Promise((resolve) => {
    const listener: LineListener = {
      status,
      close: () =>
        new Promise<void>((done) => {
          if (!status.listening) return done();
          status.listening = false;
          socket.close(() => done());
        }),
    };
    socket.once('error', (err: NodeJS.ErrnoException) => {
      status.error = describe(err, port);
      status.listening = false;
      debug('udp %d: %s', port, status.error);
      resolve(listener);
    });
    socket.bind(port, bindAddress, () => {
      status.listening = true;
      socket.on('error', () => {});
      debug('udp listening on %s:%d', bindAddress, port);
      resolve(listener);
    });
  });
}
