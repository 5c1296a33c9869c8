// Server-Sent Events for /api/events: each event is serialised once and written to every
// client, so ten browsers cost one JSON.stringify per event.
//
// Bounded: at most `maxClients()` streams (the `sse_max_clients` setting; one more gets 503), and a client
// that stops reading is dropped rather than buffered for without end. A socket that does not drain
// makes res.write() return false; from then on its backlog (Node's buffer plus the socket's) may grow to
// `maxBufferedBytes`, or stay undrained for `maxUndrainedMs`, and the client is disconnected, counted in
// `sse_dropped_slow`. A browser tab that was only slow reconnects by itself (the stream says `retry:`).
import type { Request, Response } from 'express';
import { log } from '../engine/log.js';

const debug = log('web:sse');

const KEEPALIVE_MS = 15_000;
export const DEFAULT_MAX_CLIENTS = 32;
export const DEFAULT_MAX_BUFFERED_BYTES = 1024 * 1024;
export const DEFAULT_MAX_UNDRAINED_MS = 10_000;

export interface EventStreamOptions {
  /** Read for every new stream, so a changed setting applies to the next connection. */
  maxClients?: () => number;
  maxBufferedBytes?: number;
  maxUndrainedMs?: number;
  now?: () => number;
}

export interface EventStreamStats {
  sse_clients: number;
  sse_max_clients: number;
  /** Clients whose socket is not draining right now. */
  sse_undrained: number;
  /** Streams refused because sse_max_clients were open, since start. */
  sse_refused: number;
  /** Clients dropped because they did not read, since start. */
  sse_dropped_slow: number;
}

interface Client {
  res: Response;
  /** When a write was last refused (res.write() returned false) and no 'drain' has come since. */
  undrainedSinceMs: number | null;
}

export class EventStream {
  private clients = new Map<Response, Client>();
  private keepalive: NodeJS.Timeout;
  private readonly maxClients: () => number;
  private readonly maxBufferedBytes: number;
  private readonly maxUndrainedMs: number;
  private readonly now: () => number;
  private refused = 0;
  private droppedSlow = 0;

  constructor(opts: EventStreamOptions = {}) {
    this.maxClients = opts.maxClients ?? (() => DEFAULT_MAX_CLIENTS);
    this.maxBufferedBytes = opts.maxBufferedBytes ?? DEFAULT_MAX_BUFFERED_BYTES;
    this.maxUndrainedMs = opts.maxUndrainedMs ?? DEFAULT_MAX_UNDRAINED_MS;
    this.now = opts.now ?? Date.now;
    // A comment line keeps proxies and the page's EventSource from timing the stream out.
    this.keepalive = setInterval(() => this.writeAll(': keepalive\n\n'), KEEPALIVE_MS);
    this.keepalive.unref();
  }

  get clientCount(): number {
    return this.clients.size;
  }

  stats(): EventStreamStats {
    let undrained = 0;
    for (const c of this.clients.values()) if (c.undrainedSinceMs !== null) undrained++;
    return { sse_clients: this.clients.size, sse_max_clients: this.maxClients(), sse_undrained: undrained, sse_refused: this.refused, sse_dropped_slow: this.droppedSlow };
  }

  handler = (req: Request, res: Response): void => {
    const max = this.maxClients();
    if (this.clients.size >= max) {
      this.refused++;
      res.status(503).set('Retry-After', '10').json({
        error: `too many event streams open (${this.clients.size}; sse_max_clients is ${max}): close another page, or raise sse_max_clients with PUT /api/web/settings`,
      });
      return;
    }
    res.writeHead(200, {
      'Content-Type': 'text/event-stream; charset=utf-8',
      'Cache-Control': 'no-cache, no-transform',
      Connection: 'keep-alive',
      'X-Accel-Buffering': 'no',
    });
    const client: Client = { res, undrainedSinceMs: null };
    this.clients.set(res, client);
    res.on('drain', () => (client.undrainedSinceMs = null));
    req.on('close', () => this.clients.delete(res));
    this.write(client, 'retry: 2000\n\n');
  };

  /** `to`: only the streams whose request it accepts (res.locals), e.g. the scopes that may read the log. */
  send(event: string, data: unknown, to?: (locals: Record<string, unknown>) => boolean): void {
    if (this.clients.size === 0) return;
    const text = `event: ${event}\ndata: ${JSON.stringify(data)}\n\n`;
    if (!to) return this.writeAll(text);
    for (const client of this.clients.values()) if (to(client.res.locals)) this.write(client, text);
  }

  /** Ends the streams whose request was let in as `which` says (res.locals: auth, tokenId, sessionKey): access withdrawn. */
  closeWhere(which: (locals: Record<string, unknown>) => boolean): number {
    let closed = 0;
    for (const res of [...this.clients.keys()]) {
      if (!which(res.locals)) continue;
      this.clients.delete(res);
      res.end();
      closed++;
    }
    return closed;
  }

  close(): void {
    clearInterval(this.keepalive);
    for (const res of this.clients.keys()) res.end();
    this.clients.clear();
  }

  private writeAll(text: string): void {
    for (const client of this.clients.values()) this.write(client, text);
  }

  private write(client: Client, text: string): void {
    const { res } = client;
    if (!res.write(text) && client.undrainedSinceMs === null) client.undrainedSinceMs = this.now();
    if (client.undrainedSinceMs === null) return;
    // writableLength: what the response and its socket hold that the peer has not taken yet.
    const bufferedBytes = res.writableLength;
    const undrainedMs = this.now() - client.undrainedSinceMs;
    if (bufferedBytes <= this.maxBufferedBytes && undrainedMs <= this.maxUndrainedMs) return;
    this.clients.delete(res);
    this.droppedSlow++;
    debug('dropping an event stream that does not read: %d bytes waiting, undrained for %d ms', bufferedBytes, undrainedMs);
    res.destroy();
  }
}
