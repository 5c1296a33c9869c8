// The panel's link to the engine: the event stream (/api/events) keeps the status live, GET
// /api/status gives the full picture on connect and after every state change, and requests
// (start-all, stop-all, recording, the frame mirror) go out through `request`. When the engine
// stops or restarts the link says so ("down") and reconnects with back-off.
import { EventEmitter } from 'node:events';
import { applyEvent, parseStatus, type PanelStatus } from './api-types.js';
import { SseParser, type SseEvent } from './sse-parser.js';
import { log } from '../engine/log.js';

const debug = log('panel:link');

export type LinkState =
  | { kind: 'connecting' }
  | { kind: 'up' }
  | { kind: 'down'; reason: string }
  /** locked: the engine has no admin password yet (a fresh install): the operator must set one. */
  | { kind: 'unauthorised'; locked?: boolean };

export interface LinkOptions {
  apiUrl: string;
  /** The Authorization header value, or null to send none. */
  authorization: string | null;
  fetch?: typeof fetch;
  random?: () => number;
  /** A full status refresh this often, for what has no event (encoders added or removed). */
  refreshMs?: number;
  /**
   * No byte from the event stream for this long = gone. The engine sends levels 10 times a second
   * and a keepalive comment every 15 s, so the default of 20 s never trips on a live engine.
   */
  staleMs?: number;
  requestTimeoutMs?: number;
}

export interface ApiAnswer {
  status: number;
  body: unknown;
}

/** RACKCAST_API_TOKEN (Bearer) wins over RACKCAST_ADMIN_PASSWORD (Basic, user admin). */
export function authorizationFor(env: { RACKCAST_API_TOKEN?: string; RACKCAST_ADMIN_PASSWORD?: string }): string | null {
  if (env.RACKCAST_API_TOKEN) return `Bearer ${env.RACKCAST_API_TOKEN}`;
  if (env.RACKCAST_ADMIN_PASSWORD) return `Basic ${Buffer.from(`admin:${env.RACKCAST_ADMIN_PASSWORD}`).toString('base64')}`;
  return null;
}

/** 250 ms doubling to 5 s, ±20 % jitter: a restarted engine is seen within a second or two. */
export function reconnectDelayMs(attempt: number, random: () => number): number {
  const base = Math.min(5000, 250 * 2 ** Math.max(0, attempt));
  return Math.round(base * (0.8 + 0.4 * random()));
}

export const UNAUTHORISED_RETRY_MS = 10_000;

class Unauthorised extends Error {
  constructor(message: string, readonly locked = false) {
    super(message);
  }
}

/** The engine says `locked: true` in its 401 while no admin password is set. */
async function lockedIn(res: Response): Promise<boolean> {
  const body = (await res.json().catch(() => null)) as { locked?: unknown } | null;
  return body?.locked === true;
}

/** Plain words for a failed connection: fetch's own messages say only "fetch failed". */
export function describeFetchError(err: unknown): string {
  const cause = err instanceof Error && err.cause instanceof Error ? err.cause : err;
  const code = typeof cause === 'object' && cause !== null && 'code' in cause ? String(cause.code) : '';
  if (code === 'ECONNREFUSED') return 'connection refused';
  if (code === 'ECONNRESET' || code === 'UND_ERR_SOCKET') return 'connection lost';
  if (code === 'ENOTFOUND' || code === 'EAI_AGAIN') return 'host name not found';
  if (err instanceof Error && err.name === 'TimeoutError') return 'no answer';
  return cause instanceof Error ? cause.message : String(cause);
}

export class EngineLink extends EventEmitter<{ change: [] }> {
  state: LinkState = { kind: 'connecting' };
  status: PanelStatus | null = null;
  private readonly fetchImpl: typeof fetch;
  private readonly random: () => number;
  private stopped = false;
  private attempt = 0;
  private session: AbortController | null = null;
  private wake: (() => void) | null = null;
  private refreshTimer: NodeJS.Timeout | null = null;

  constructor(private readonly opts: LinkOptions) {
    super();
    this.fetchImpl = opts.fetch ?? fetch;
    this.random = opts.random ?? Math.random;
  }

  start(): void {
    void this.loop();
  }

  stop(): void {
    this.stopped = true;
    this.session?.abort();
    this.wake?.();
    if (this.refreshTimer) clearTimeout(this.refreshTimer);
  }

  /** One API request; throws only when the engine cannot be reached. */
  async request(method: string, path: string, body?: Uint8Array, contentType = 'application/octet-stream'): Promise<ApiAnswer> {
    const headers: Record<string, string> = { accept: 'application/json' };
    if (this.opts.authorization) headers.authorization = this.opts.authorization;
    if (body) headers['content-type'] = contentType;
    const res = await this.fetchImpl(this.opts.apiUrl + path, {
      method,
      headers,
      body: body ? new Uint8Array(body) : undefined,
      signal: AbortSignal.timeout(this.opts.requestTimeoutMs ?? 5000),
    });
    const text = await res.text();
    let parsed: unknown = text;
    try {
      parsed = text ? JSON.parse(text) : null;
    } catch {
      // not JSON: keep the text
    }
    return { status: res.status, body: parsed };
  }

  private setState(state: LinkState): void {
    this.state = state;
    if (state.kind !== 'up') this.status = null;
    this.emit('change');
  }

  private async loop(): Promise<void> {
    while (!this.stopped) {
      try {
        await this.runSession();
        if (!this.stopped) this.setState({ kind: 'down', reason: 'the engine closed the event stream' });
      } catch (err) {
        if (this.stopped) break;
        if (err instanceof Unauthorised) this.setState({ kind: 'unauthorised', locked: err.locked });
        else this.setState({ kind: 'down', reason: describeFetchError(err) });
        debug('link %s: %s', this.state.kind, err instanceof Error ? err.message : err);
      }
      if (this.stopped) break;
      const delay = this.state.kind === 'unauthorised' ? UNAUTHORISED_RETRY_MS : reconnectDelayMs(this.attempt++, this.random);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, delay);
        this.wake = () => {
          clearTimeout(timer);
          resolve();
        };
      });
      this.wake = null;
    }
  }

  private async runSession(): Promise<void> {
    const ctrl = new AbortController();
    this.session = ctrl;
    const headers: Record<string, string> = { accept: 'text/event-stream' };
    if (this.opts.authorization) headers.authorization = this.opts.authorization;
    // The watchdog runs from the start: an engine that accepts the connection and then hangs
    // (stopped in a debugger, swapping) is as good as gone.
    const staleMs = this.opts.staleMs ?? 20_000;
    const stale = () => ctrl.abort(new Error(`no answer from the engine for ${staleMs / 1000} s`));
    let watchdog = setTimeout(stale, staleMs);
    let periodic: NodeJS.Timeout | undefined;
    try {
      const res = await this.fetchImpl(`${this.opts.apiUrl}/api/events`, { headers, signal: ctrl.signal });
      if (res.status === 401 || res.status === 403) throw new Unauthorised(`HTTP ${res.status}`, await lockedIn(res));
      if (!res.ok || !res.body) throw new Error(`the engine answered /api/events with HTTP ${res.status}`);
      const reader = res.body.getReader();
      periodic = setInterval(() => this.scheduleRefresh(0), this.opts.refreshMs ?? 10_000);
      // Subscribed first, then the full status: nothing that changes in between is missed.
      await this.refresh();
      this.attempt = 0;
      this.setState({ kind: 'up' });
      const parser = new SseParser();
      const decoder = new TextDecoder();
      for (;;) {
        const { done, value } = await reader.read();
        if (done) return;
        clearTimeout(watchdog);
        watchdog = setTimeout(stale, staleMs);
        for (const ev of parser.push(decoder.decode(value, { stream: true }))) this.onEvent(ev);
      }
    } finally {
      clearTimeout(watchdog);
      if (periodic) clearInterval(periodic);
      ctrl.abort();
      this.session = null;
    }
  }

  private onEvent(ev: SseEvent): void {
    if (!this.status) return;
    let data: unknown;
    try {
      data = JSON.parse(ev.data);
    } catch {
      return;
    }
    const next = applyEvent(this.status, ev.event, data);
    // The fallback's state has no event of its own: it changes with the silence alarm.
    if (ev.event === 'encoder_status_changed' || ev.event === 'capture_status_changed' || ev.event === 'alarm_raised' || ev.event === 'alarm_cleared') this.scheduleRefresh(200);
    if (next === this.status) return;
    this.status = next;
    this.emit('change');
  }

  /** After an action of the panel's own: the screen catches up at once rather than at the next periodic refresh. */
  refreshSoon(): void {
    if (this.session !== null && !this.stopped) this.scheduleRefresh(100);
  }

  /** Coalesces refreshes: a burst of state changes costs one GET /api/status. */
  private scheduleRefresh(delayMs: number): void {
    if (this.refreshTimer) return;
    this.refreshTimer = setTimeout(() => {
      this.refreshTimer = null;
      this.refresh().catch((err: unknown) => debug('status refresh failed: %s', describeFetchError(err)));
    }, delayMs);
  }

  private async refresh(): Promise<void> {
    const answer = await this.request('GET', '/api/status');
    if (answer.status === 401 || answer.status === 403) throw new Unauthorised(`HTTP ${answer.status}`);
    if (answer.status !== 200) throw new Error(`the engine answered /api/status with HTTP ${answer.status}`);
    if (this.stopped || this.session === null) return; // a late answer after the stream ended
    this.status = parseStatus(answer.body);
    this.emit('change');
  }
}
