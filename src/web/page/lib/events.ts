// The live link: /api/events read through fetch() rather than EventSource, so the request carries
// X-Requested-With (no Basic pop-up on a 401) and a 401 is seen as "signed out" instead of being retried
// forever. It reconnects with back-off when the engine restarts, and a silent connection (a half-open TCP
// after a network change) is dropped after `silenceMs`: the engine sends levels 10 times a second and a
// keepalive every 15 s.
import { REQUESTED_WITH } from './api.js';
// The panel's SSE parser: both are clients of the same /api/events stream.
import { SseParser, type SseEvent as SseMessage } from '../../../panel/sse-parser.js';

export type LinkState = 'connecting' | 'live' | 'reconnecting' | 'stopped';

export interface EventLinkOptions {
  url?: string;
  onMessage: (message: SseMessage) => void;
  onState: (state: LinkState, detail: string | null) => void;
  /** Each time the stream (re)opens: the caller reloads what it may have missed meanwhile. */
  onOpen: () => void;
  onUnauthorized: () => void;
  silenceMs?: number;
  fetchImpl?: typeof fetch;
}

/** 1 s, 2 s, 4 s, then every 5 s: quick after an engine restart, gentle during a long outage. */
export function reconnectDelayMs(attempt: number): number {
  return Math.min(5000, 1000 * 2 ** Math.max(0, attempt));
}

export class EventLink {
  private running = false;
  private controller: AbortController | null = null;
  private wake: (() => void) | null = null;

  constructor(private readonly opts: EventLinkOptions) {}

  start(): void {
    if (this.running) return;
    this.running = true;
    void this.loop();
  }

  stop(): void {
    this.running = false;
    this.controller?.abort();
    this.wake?.();
    this.opts.onState('stopped', null);
  }

  /** Skips the back-off wait (the page became visible again, the network came back). */
  retryNow(): void {
    this.wake?.();
  }

  private async loop(): Promise<void> {
    let attempt = 0;
    this.opts.onState('connecting', null);
    while (this.running) {
      let detail = 'the connection to the engine closed';
      try {
        const opened = await this.readOnce();
        if (opened === 'unauthorized') {
          this.running = false;
          this.opts.onUnauthorized();
          return;
        }
        if (opened === 'opened') attempt = 0;
      } catch (err) {
        detail = err instanceof Error && err.name !== 'AbortError' ? `the engine cannot be reached (${err.message})` : detail;
      }
      if (!this.running) return;
      const wait = new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, reconnectDelayMs(attempt++));
        this.wake = () => {
          clearTimeout(timer);
          resolve();
        };
      });
      this.opts.onState('reconnecting', detail);
      await wait;
      this.wake = null;
    }
  }

  /** One connection, read until it ends. */
  private async readOnce(): Promise<'unauthorized' | 'opened' | 'failed'> {
    const controller = new AbortController();
    this.controller = controller;
    const fetchImpl = this.opts.fetchImpl ?? fetch;
    const res = await fetchImpl(this.opts.url ?? '/api/events', { headers: { ...REQUESTED_WITH, Accept: 'text/event-stream' }, signal: controller.signal, cache: 'no-store' });
    if (res.status === 401) return 'unauthorized';
    if (!res.ok || !res.body) return 'failed';
    this.opts.onState('live', null);
    this.opts.onOpen();
    const reader = res.body.getReader();
    const decoder = new TextDecoder();
    const parser = new SseParser();
    const silenceMs = this.opts.silenceMs ?? 40_000;
    let watchdog = setTimeout(() => controller.abort(), silenceMs);
    try {
      for (;;) {
        const { value, done } = await reader.read();
        if (done) break;
        clearTimeout(watchdog);
        watchdog = setTimeout(() => controller.abort(), silenceMs);
        for (const message of parser.push(decoder.decode(value, { stream: true }))) this.opts.onMessage(message);
      }
    } catch {
      // aborted (stop, watchdog) or the connection broke: the loop decides what next
    } finally {
      clearTimeout(watchdog);
    }
    return 'opened';
  }
}
