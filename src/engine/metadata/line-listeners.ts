// The TCP and UDP title listeners: playout systems send one "Artist - Title" per line. They deliver
// raw line bytes (decoding and parsing are the caller's, and pure); what is not a line (too long) is
// reported as a drop. A client can hold at most one line in memory and a few connections at once,
// so nothing a sender does can grow the engine's memory or reach anything but the title.
// TCP: a connection that sends no line for the idle time is closed, and when all MAX_TCP_CLIENTS are
// taken, a new connection closes the one that has been silent longest, so connections that were opened
// and forgotten (or opened to block the door) can never lock a playout system out.
import dgram from 'node:dgram';
import net from 'node:net';
import { isIPv6 } from 'node:net';
import { performance } from 'node:perf_hooks';
import type { DropReason } from './types.js';
import { log } from '../log.js';

const debug = log('metadata:listen');

export const MAX_LINE_BYTES = 4096;
export const MAX_TCP_CLIENTS = 16;
/** A playout system may keep its connection open between titles; one that sends no line for this long is let go. */
export const TCP_IDLE_MS = 60_000;
/** Lines handled from one connection before the event loop gets a turn. */
export const LINES_PER_TURN = 256;

export interface LineHandlers {
  onLine(bytes: Buffer): void;
  onDrop(reason: DropReason, detail: string): void;
}

export interface ListenerStatus {
  listening: boolean;
  port: number | null;
  error: string | null;
}

export interface TcpListenerStatus extends ListenerStatus {
  /** Connections open now. */
  connections: number;
  max_connections: number;
  idle_timeout_secs: number;
  /** Connections closed because they sent no line for idle_timeout_secs. */
  closed_idle: number;
  /** Connections closed to make room for a new one (the one silent longest). */
  closed_for_room: number;
}

export interface LineListener<S extends ListenerStatus = ListenerStatus> {
  readonly status: S;
  close(): Promise<void>;
}

export interface TcpOptions {
  maxClients?: number;
  idleMs?: number;
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

/**
 * Hands a connection's chunks to its splitter at most LINES_PER_TURN lines at a time: a 64 KiB chunk of
 * short lines is thousands of titles, and the rest of the engine gets a turn between every few hundred.
 * The socket is paused meanwhile, so the sender waits (TCP pushes back) instead of the engine buffering.
 * Lines already received still count after the sender has closed (only a closed listener drops them).
 */
function meteredFeed(socket: net.Socket, splitter: LineSplitter, listening: () => boolean): { feed(chunk: Buffer): void; end(done: () => void): void } {
  let rest: Buffer | null = null;
  let atEnd: (() => void) | null = null;
  const feed = (chunk: Buffer): void => {
    let pos = 0;
    for (let lines = 0; lines < LINES_PER_TURN; lines++) {
      const nl = chunk.indexOf(0x0a, pos);
      if (nl < 0) {
        splitter.push(chunk);
        return;
      }
      pos = nl + 1;
    }
    splitter.push(chunk.subarray(0, pos));
    if (pos === chunk.length) return;
    rest = chunk.subarray(pos);
    socket.pause();
    setImmediate(() => {
      const next = rest!;
      rest = null;
      if (!listening()) return;
      feed(next);
      if (rest !== null) return;
      socket.resume();
      const done = atEnd;
      atEnd = null;
      done?.();
    });
  };
  return {
    feed,
    end: (done) => {
      if (rest === null) done();
      else atEnd = done;
    },
  };
}

interface TcpClient {
  socket: net.Socket;
  /** When it last sent a line (or connected), performance.now(). */
  lastLineMs: number;
  idleTimer: NodeJS.Timeout;
}

export function listenTcp(port: number, bindAddress: string, handlers: LineHandlers, options: TcpOptions = {}): Promise<LineListener<TcpListenerStatus>> {
  const maxClients = options.maxClients ?? MAX_TCP_CLIENTS;
  const idleMs = options.idleMs ?? TCP_IDLE_MS;
  const clients = new Set<TcpClient>();
  const status: TcpListenerStatus = {
    listening: false,
    port,
    error: null,
    connections: 0,
    max_connections: maxClients,
    idle_timeout_secs: idleMs / 1000,
    closed_idle: 0,
    closed_for_room: 0,
  };

  function silentLongest(): TcpClient | undefined {
    let found: TcpClient | undefined;
    for (const c of clients) if (!found || c.lastLineMs < found.lastLineMs) found = c;
    return found;
  }

  const server = net.createServer((socket) => {
    if (clients.size >= maxClients) {
      const victim = silentLongest();
      if (victim) {
        status.closed_for_room++;
        debug('tcp %d: all %d connections taken; closing the one silent longest', port, maxClients);
        victim.socket.destroy();
        clients.delete(victim);
      }
    }
    const client: TcpClient = {
      socket,
      lastLineMs: performance.now(),
      idleTimer: setTimeout(() => {
        status.closed_idle++;
        socket.destroy();
      }, idleMs),
    };
    const sawLine = (): void => {
      client.lastLineMs = performance.now();
      client.idleTimer.refresh();
    };
    clients.add(client);
    status.connections = clients.size;
    const splitter = new LineSplitter({
      onLine: (bytes) => {
        sawLine();
        handlers.onLine(bytes);
      },
      onDrop: (reason, detail) => {
        sawLine();
        handlers.onDrop(reason, detail);
      },
    });
    const metered = meteredFeed(socket, splitter, () => status.listening);
    socket.on('data', metered.feed);
    socket.on('end', () =>
      metered.end(() => {
        splitter.end();
        socket.end();
      }),
    );
    socket.on('error', () => {});
    socket.on('close', () => {
      clearTimeout(client.idleTimer);
      clients.delete(client);
      status.connections = clients.size;
    });
  });
  return new Promise((resolve) => {
    const listener: LineListener<TcpListenerStatus> = {
      status,
      close: () =>
        new Promise<void>((done) => {
          for (const c of clients) {
            clearTimeout(c.idleTimer);
            c.socket.destroy();
          }
          clients.clear();
          status.connections = 0;
          status.listening = false;
          if (!server.listening) return done();
          server.close(() => done());
        }),
    };
    let started = false;
    server.on('error', (err: NodeJS.ErrnoException) => {
      status.error = describe(err, port);
      debug('tcp %d: %s', port, status.error);
      // An error after listening (too many open files on accept, say) is shown, never thrown.
      if (!started) {
        started = true;
        resolve(listener);
      }
    });
    server.listen(port, bindAddress, () => {
      started = true;
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
