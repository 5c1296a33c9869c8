// The panel service: the engine link, the buttons and the display wired together. Renders a frame
// whenever something changed, at most 4 times a second, shows it only if it differs from the last
// one, and mirrors it to the engine for the web page.
import { hostname, networkInterfaces } from 'node:os';
import type { Display } from './display/display.js';
import type { ButtonSource } from './buttons/button-source.js';
import type { ButtonEvent } from './buttons/button-logic.js';
import type { EngineLink } from './engine-link.js';
import { Framebuffer } from './framebuffer.js';
import { networkInfo, type NetworkInfo } from './network-info.js';
import { renderPanel } from './screens/render.js';
import { expire, initialUi, onActionDone, onButton, type PanelAction, type UiState } from './ui.js';
import { log } from '../engine/log.js';
import { alarmRelayOn } from './alarm-output/alarm-relay.js';
import type { AlarmOutput } from './alarm-output/sysfs-output.js';

const debug = log('panel');

export const MIN_FRAME_INTERVAL_MS = 250;
const HOUSEKEEPING_MS = 500;
const NETWORK_REFRESH_MS = 10_000;

/** How long to wait before the next frame may be shown. Pure. */
export function nextRenderDelayMs(lastShownAtMs: number, nowMs: number, minIntervalMs = MIN_FRAME_INTERVAL_MS): number {
  return Math.max(0, lastShownAtMs + minIntervalMs - nowMs);
}

export function actionPath(action: PanelAction): string {
  if (action.type === 'start-all') return '/api/encoders/start-all';
  if (action.type === 'stop-all') return '/api/encoders/stop-all';
  if (action.type === 'eject') return '/api/storage/eject';
  if (action.type === 'live-listen') return '/api/live-listen';
  if (action.type === 'release-fallback') return '/api/alarms/fallback/release';
  return `/api/encoders/${action.encoderId}/recording/${action.start ? 'start' : 'stop'}`;
}

export interface PanelOptions {
  link: EngineLink;
  display: Display;
  buttons: ButtonSource | null;
  apiUrl: string;
  mirror: boolean;
  holdMs: number;
  /** The alarm relay/LED (device/pins.json alarm_output); none when absent. */
  alarmOutput?: AlarmOutput | null;
  now?: () => number;
  /** Operator messages (stdout under systemd goes to the journal). */
  say?: (message: string) => void;
  /** The engine's setup code while it has no admin password (the image: RACKCAST_SETUP_CODE_FILE), else null; shown before the status. */
  setupCode?: () => string | null;
}

export class Panel {
  private ui: UiState;
  private shown: Framebuffer | null = null;
  private lastShownAtMs = -Infinity;
  private renderTimer: NodeJS.Timeout | null = null;
  private housekeeping: NodeJS.Timeout | null = null;
  private rendering = false;
  private renderAgain = false;
  private displayFailing = false;
  private net: NetworkInfo;
  private netAtMs = 0;
  private mirrorOn: boolean;
  private mirrorNext: Framebuffer | null = null;
  private mirrorBusy = false;
  private lastLinkKind = '';
  private stopped = false;
  private alarmOutputFailing = false;
  private readonly now: () => number;
  private readonly say: (message: string) => void;
  readonly apiLabel: string;
  /** Frames put on the display so far (for the benchmark and tests). */
  framesShown = 0;

  constructor(private readonly opts: PanelOptions) {
    this.now = opts.now ?? Date.now;
    this.say = opts.say ?? ((m) => console.log(m));
    this.ui = initialUi(this.now());
    this.apiLabel = new URL(opts.apiUrl).host;
    this.net = this.readNetwork();
    this.mirrorOn = opts.mirror;
  }

  start(): void {
    const { link, buttons } = this.opts;
    link.on('change', () => this.onLinkChange());
    buttons?.start((ev) => this.onButton(ev));
    link.start();
    this.housekeeping = setInterval(() => {
      const now = this.now();
      this.ui = expire(this.ui, now);
      if (now - this.netAtMs >= NETWORK_REFRESH_MS) this.net = this.readNetwork();
      this.driveAlarmOutput();
      this.requestRender();
    }, HOUSEKEEPING_MS);
    this.requestRender();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.housekeeping) clearInterval(this.housekeeping);
    if (this.renderTimer) clearTimeout(this.renderTimer);
    this.opts.link.stop();
    await this.opts.buttons?.close();
    await this.opts.alarmOutput?.close();
    await this.opts.display.close().catch(() => {});
  }

  private readNetwork(): NetworkInfo {
    this.netAtMs = this.now();
    return networkInfo(networkInterfaces(), hostname(), this.opts.apiUrl);
  }

  private onLinkChange(): void {
    const state = this.opts.link.state;
    if (state.kind !== this.lastLinkKind) {
      this.lastLinkKind = state.kind;
      if (state.kind === 'up') {
        this.say(`panel: connected to the engine at ${this.opts.apiUrl}`);
        this.mirrorOn = this.opts.mirror;
      } else if (state.kind === 'down') this.say(`panel: engine not running (${state.reason}); retrying`);
      else if (state.kind === 'unauthorised') this.say('panel: the engine refused the credentials (set RACKCAST_API_TOKEN or RACKCAST_ADMIN_PASSWORD)');
    }
    this.driveAlarmOutput();
    this.requestRender();
  }

  /** Closes the alarm relay while there is an alarm (or no engine), opens it when all is well. */
  private driveAlarmOutput(): void {
    const output = this.opts.alarmOutput;
    if (!output || this.stopped) return;
    const on = alarmRelayOn(this.opts.link.state, this.opts.link.status);
    output.set(on).then(
      () => {
        if (this.alarmOutputFailing) this.say(`panel: ${output.description} works again`);
        this.alarmOutputFailing = false;
      },
      (err: unknown) => {
        if (!this.alarmOutputFailing) this.say(`panel: ${output.description}: ${err instanceof Error ? err.message : String(err)}`);
        this.alarmOutputFailing = true;
      },
    );
  }

  private onButton(ev: ButtonEvent): void {
    const link = this.opts.link;
    debug('button %s %s', ev.button, ev.kind);
    const result = onButton(this.ui, ev, { status: link.status, engineUp: link.state.kind === 'up', holdMs: this.opts.holdMs, nowMs: this.now() });
    this.ui = result.ui;
    this.requestRender();
    for (const action of result.actions) void this.run(action);
  }

  private async run(action: PanelAction): Promise<void> {
    const path = actionPath(action);
    let answer: { status: number; body: unknown };
    try {
      answer =
        action.type === 'live-listen'
          ? await this.opts.link.request('PUT', path, new TextEncoder().encode(JSON.stringify(action.patch)), 'application/json')
          : await this.opts.link.request('POST', path);
    } catch (err) {
      answer = { status: 0, body: err instanceof Error ? err.message : String(err) };
    }
    this.say(`panel: ${action.type === 'live-listen' ? 'PUT' : 'POST'} ${path} → ${answer.status || 'engine unreachable'}`);
    this.ui = onActionDone(this.ui, action, answer, this.now());
    if (answer.status >= 200 && answer.status < 300) this.opts.link.refreshSoon();
    this.requestRender();
  }

  requestRender(): void {
    if (this.stopped) return;
    if (this.rendering) {
      this.renderAgain = true;
      return;
    }
    if (this.renderTimer) return;
    const wait = nextRenderDelayMs(this.lastShownAtMs, this.now());
    this.renderTimer = setTimeout(() => {
      this.renderTimer = null;
      void this.render();
    }, wait);
  }

  private async render(): Promise<void> {
    const link = this.opts.link;
    const setupCode = this.opts.setupCode?.() ?? null;
    const frame = renderPanel({ link: link.state, status: link.status, ui: this.ui, net: this.net, apiLabel: this.apiLabel, nowMs: this.now(), setupCode });
    if (this.shown && frame.equals(this.shown)) return;
    this.rendering = true;
    try {
      await this.opts.display.show(frame);
      this.shown = frame;
      this.framesShown++;
      if (this.displayFailing) this.say(`panel: display back (${this.opts.display.description})`);
      this.displayFailing = false;
      this.mirror(frame);
    } catch (err) {
      // Logged once per outage; the housekeeping tick tries again every half second.
      if (!this.displayFailing) this.say(`panel: display error: ${err instanceof Error ? err.message : String(err)}`);
      this.displayFailing = true;
      this.shown = null;
    } finally {
      this.lastShownAtMs = this.now();
      this.rendering = false;
    }
    if (this.renderAgain) {
      this.renderAgain = false;
      this.requestRender();
    }
  }

  /** Sends the newest frame to the engine; frames that pile up while one is in flight are skipped. */
  private mirror(frame: Framebuffer): void {
    if (!this.mirrorOn || this.opts.link.state.kind !== 'up') return;
    this.mirrorNext = frame;
    if (!this.mirrorBusy) void this.flushMirror();
  }

  private async flushMirror(): Promise<void> {
    this.mirrorBusy = true;
    while (this.mirrorNext && !this.stopped) {
      const frame = this.mirrorNext;
      this.mirrorNext = null;
      try {
        const answer = await this.opts.link.request('PUT', '/api/panel/frame', frame.bytes);
        if (answer.status === 404) {
          this.say('panel: this engine has no /api/panel/frame; the web page will not mirror the panel');
          this.mirrorOn = false;
        } else if (answer.status >= 300) debug('mirror: HTTP %d %o', answer.status, answer.body);
      } catch (err) {
        debug('mirror: %s', err instanceof Error ? err.message : err);
      }
    }
    this.mirrorBusy = false;
  }
}
