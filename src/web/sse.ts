// Server-Sent Events for /api/events: each event is serialised once and written to every
// client, so ten browsers cost one JSON.stringify per event.
import type { Request, Response } from 'express';

const KEEPALIVE_MS = 15_000;

export class EventStream {
  private clients = new Set<Response>();
  private keepalive: NodeJS.Timeout;

  constructor() {
    // A comment line keeps proxies and the page's EventSource from timing the stream out.
    this.keepalive = setInterval(() => this.writeAll(': keepalive\n\n'), KEEPALIVE_MS);
    this.keepalive.unref();
  }

  get clientCount(): number {
    return this.clients.size;
  }

  handler = (req: Request, res: Response): void => {
    res.writeHead(200, {
      'Content-Type': 'text/event-stream; charset=utf-8',
      'Cache-Control': 'no-cache, no-transform',
      Connection: 'keep-alive',
      'X-Accel-Buffering': 'no',
    });
    res.write('retry: 2000\n\n');
    this.clients.add(res);
    req.on('close', () => this.clients.delete(res));
  };

  send(event: string, data: unknown): void {
    if (this.clients.size === 0) return;
    this.writeAll(`event: ${event}\ndata: ${JSON.stringify(data)}\n\n`);
  }

  close(): void {
    clearInterval(this.keepalive);
    for (const res of this.clients) res.end();
    this.clients.clear();
  }

  private writeAll(text: string): void {
    for (const res of this.clients) res.write(text);
  }
}
