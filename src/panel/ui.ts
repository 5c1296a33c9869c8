// What the panel shows and what the buttons do, as pure functions of (state, event, now).
//
// Start/stop is deliberately lopsided: a short press only ever starts (POST start-all, which the
// engine applies to enabled encoders that are stopped); taking the station off air needs the button
// held for two seconds. A press while on air only explains that.
import type { PanelEncoder, PanelStatus } from './api-types.js';
import type { ButtonEvent } from './buttons/button-logic.js';

export type ScreenName = 'home' | 'menu' | 'encoder' | 'network' | 'listen';

export interface Toast {
  lines: string[];
  untilMs: number;
}

export interface UiState {
  screen: ScreenName;
  menuIndex: number;
  /** The encoder shown on the detail screen (index into status.encoders). */
  encoderIndex: number;
  /** First encoder row on the home screen. */
  homeScroll: number;
  /** The highlighted row of the live listen screen (LISTEN_ROWS). */
  listenRow: number;
  toast: Toast | null;
  lastInputMs: number;
}

export type PanelAction =
  | { type: 'start-all' }
  | { type: 'stop-all' }
  | { type: 'recording'; encoderId: number; start: boolean }
  /** Safe removal of the USB recordings drive (POST /api/storage/eject). */
  | { type: 'eject' }
  /** Live listen's source, volume or on/off (PUT /api/live-listen). */
  | { type: 'live-listen'; patch: { enabled?: boolean; source?: string; volume?: number } }
  /** The fallback encoders back to the programme (POST /api/alarms/fallback/release). */
  | { type: 'release-fallback' };

export interface MenuItem {
  label: string;
  screen?: ScreenName;
  action?: PanelAction;
  /** What the screen says while the action runs. */
  busy?: readonly [string, string];
}

export const MENU: readonly MenuItem[] = [
  { label: 'Status', screen: 'home' },
  { label: 'Encoders', screen: 'encoder' },
  { label: 'Network', screen: 'network' },
  { label: 'Live listen', screen: 'listen' },
  { label: 'Start all streams', action: { type: 'start-all' }, busy: ['Starting', 'all streams'] },
  { label: 'Eject USB drive', action: { type: 'eject' }, busy: ['Finishing files,', 'unmounting'] },
  { label: 'Back to programme', action: { type: 'release-fallback' }, busy: ['Back to', 'the programme'] },
];

/** Menu rows on screen at once; further rows scroll into view. */
export const MENU_ROWS = 6;

export const HOME_ROWS = 3;
/** The live listen screen's rows: select on each changes it (or goes back). */
export const LISTEN_ROWS = ['on', 'source', 'volume', 'back'] as const;
/** Volume steps the panel's select walks through, loudest first. */
export const LISTEN_VOLUMES = [1, 0.75, 0.5, 0.25, 0] as const;

/** What select on "source" moves to: the programme, then every stream on air as its server delivers it. */
export function listenSources(status: PanelStatus): string[] {
  return ['master', ...status.encoders.filter((e) => e.recording === null && isOnAir(e)).map((e) => `server:${e.id}`)];
}

function nextOf<T>(list: readonly T[], current: T): T {
  const i = list.indexOf(current);
  return list[(i + 1) % list.length]!;
}
export const TOAST_MS = 2500;
/** Back to the home screen after this long without a button. */
export const IDLE_MS = 60_000;

export function initialUi(nowMs: number): UiState {
  return { screen: 'home', menuIndex: 0, encoderIndex: 0, homeScroll: 0, listenRow: 0, toast: null, lastInputMs: nowMs };
}

const toast = (nowMs: number, ...lines: string[]): Toast => ({ lines, untilMs: nowMs + TOAST_MS });

export const isOnAir = (e: PanelEncoder): boolean => e.state !== 'disabled';

export interface ButtonContext {
  status: PanelStatus | null;
  engineUp: boolean;
  holdMs: number;
  nowMs: number;
}

/**
 * The encoder the record button acts on: the recorder (file encoder) on the detail screen, else the
 * first recorder. With no recorder at all, the first encoder: the engine then says why not (404 from
 * an engine without recording, 409 for a stream encoder).
 */
export function recordTarget(ui: UiState, status: PanelStatus): PanelEncoder | null {
  const onScreen = ui.screen === 'encoder' ? status.encoders[ui.encoderIndex] : undefined;
  if (onScreen && onScreen.recording !== null) return onScreen;
  return status.encoders.find((e) => e.recording !== null) ?? status.encoders[0] ?? null;
}

export function onButton(ui0: UiState, ev: ButtonEvent, ctx: ButtonContext): { ui: UiState; actions: PanelAction[] } {
  const now = ctx.nowMs;
  const ui: UiState = { ...ui0, lastInputMs: now };
  const status = ctx.status;
  const encoders = status?.encoders ?? [];
  const none = { ui, actions: [] as PanelAction[] };

  if (ev.button === 'startstop' || ev.button === 'record') {
    if (!ctx.engineUp || !status) {
      return ev.kind === 'down' ? none : { ui: { ...ui, toast: toast(now, 'Engine not running:', 'nothing to do') }, actions: [] };
    }
  }

  if (ev.button === 'startstop') {
    const anyOnAir = encoders.some(isOnAir);
    const anyStopped = encoders.some((e) => !isOnAir(e));
    if (ev.kind === 'down') {
      if (!anyOnAir) return none;
      const secs = Math.round(ctx.holdMs / 1000);
      return { ui: { ...ui, toast: { lines: [`Hold ${secs} s`, 'to stop all streams'], untilMs: now + ctx.holdMs + 500 } }, actions: [] };
    }
    if (ev.kind === 'hold') {
      if (!anyOnAir) return { ui: { ...ui, toast: toast(now, 'Already off air') }, actions: [] };
      return { ui: { ...ui, toast: toast(now, 'Stopping', 'all streams') }, actions: [{ type: 'stop-all' }] };
    }
    // A short press never stops anything.
    if (encoders.length === 0) return { ui: { ...ui, toast: toast(now, 'No encoders', 'configured') }, actions: [] };
    if (!anyStopped) return { ui: { ...ui, toast: toast(now, 'On air.', `Hold ${Math.round(ctx.holdMs / 1000)} s to stop`) }, actions: [] };
    return { ui: { ...ui, toast: toast(now, 'Starting', 'all streams') }, actions: [{ type: 'start-all' }] };
  }

  if (ev.kind === 'down') return none;

  if (ev.button === 'record') {
    const target = status ? recordTarget(ui, status) : null;
    if (!target) return { ui: { ...ui, toast: toast(now, 'No encoder', 'to record') }, actions: [] };
    const start = target.recording !== true;
    return { ui, actions: [{ type: 'recording', encoderId: target.id, start }] };
  }

  // Menu navigation: any key first dismisses a message.
  if (ui.toast) return { ui: { ...ui, toast: null }, actions: [] };
  const step = ev.button === 'up' ? -1 : ev.button === 'down' ? 1 : 0;
  const wrap = (i: number, n: number) => (n === 0 ? 0 : (i + n) % n);
  switch (ui.screen) {
    case 'home':
      if (ev.button === 'select') return { ui: { ...ui, screen: 'menu', menuIndex: 0 }, actions: [] };
      return { ui: { ...ui, homeScroll: Math.max(0, Math.min(ui.homeScroll + step, encoders.length - HOME_ROWS)) }, actions: [] };
    case 'menu': {
      if (ev.button !== 'select') return { ui: { ...ui, menuIndex: wrap(ui.menuIndex + step, MENU.length) }, actions: [] };
      const item = MENU[ui.menuIndex] ?? MENU[0]!;
      // Releasing a fallback that is not on air would only look like it did something.
      if (item.action?.type === 'release-fallback' && !status?.fallback?.active) {
        return { ui: { ...ui, screen: 'home', toast: toast(now, 'No fallback on air:', 'the programme is') }, actions: [] };
      }
      if (item.action) return { ui: { ...ui, screen: 'home', toast: toast(now, ...(item.busy ?? ['Working', ''])) }, actions: [item.action] };
      return { ui: { ...ui, screen: item.screen ?? 'home', encoderIndex: 0, listenRow: 0 }, actions: [] };
    }
    case 'listen': {
      if (ev.button !== 'select') return { ui: { ...ui, listenRow: wrap(ui.listenRow + step, LISTEN_ROWS.length) }, actions: [] };
      const ll = status?.liveListen;
      const row = LISTEN_ROWS[ui.listenRow] ?? 'back';
      if (row === 'back') return { ui: { ...ui, screen: 'menu' }, actions: [] };
      if (!ll || !status) return { ui: { ...ui, toast: toast(now, 'Live listen', 'not available') }, actions: [] };
      if (row === 'on') return { ui, actions: [{ type: 'live-listen', patch: { enabled: !ll.enabled } }] };
      if (row === 'source') return { ui, actions: [{ type: 'live-listen', patch: { source: nextOf(listenSources(status), ll.source) } }] };
      // One step quieter each press; after silence, full volume again.
      const volume: number = LISTEN_VOLUMES.find((v) => v < ll.volume - 1e-6) ?? 1;
      return { ui, actions: [{ type: 'live-listen', patch: { volume } }] };
    }
    case 'encoder':
      if (ev.button === 'select') return { ui: { ...ui, screen: 'menu' }, actions: [] };
      return { ui: { ...ui, encoderIndex: wrap(ui.encoderIndex + step, encoders.length) }, actions: [] };
    case 'network':
      if (ev.button === 'select') return { ui: { ...ui, screen: 'menu' }, actions: [] };
      return none;
  }
}

export interface ActionResult {
  /** HTTP status, or 0 when the engine could not be reached. */
  status: number;
  body: unknown;
}

function errorText(body: unknown): string {
  if (typeof body === 'object' && body !== null && typeof (body as { error?: unknown }).error === 'string') return (body as { error: string }).error;
  return typeof body === 'string' && body ? body : 'unknown error';
}

/** A message for what the engine answered to an action. */
export function onActionDone(ui: UiState, action: PanelAction, result: ActionResult, nowMs: number): UiState {
  if (result.status === 0) return { ...ui, toast: toast(nowMs, 'Engine not', 'reachable') };
  if (action.type === 'recording') {
    if (result.status === 404) return { ...ui, toast: toast(nowMs, 'Recording', 'not available') };
    if (result.status === 409) return { ...ui, toast: toast(nowMs, 'Recording', 'not available:', 'no file output') };
    if (result.status < 300) return { ...ui, toast: toast(nowMs, action.start ? 'Recording started' : 'Recording stopped') };
    return { ...ui, toast: toast(nowMs, 'Recording failed:', errorText(result.body)) };
  }
  if (action.type === 'live-listen') {
    if (result.status < 300) return ui;
    return { ...ui, toast: toast(nowMs, 'Live listen:', errorText(result.body)) };
  }
  if (action.type === 'release-fallback') {
    if (result.status < 300) return { ...ui, toast: toast(nowMs, 'Back to', 'the programme') };
    return { ...ui, toast: toast(nowMs, 'Release failed:', errorText(result.body)) };
  }
  if (action.type === 'eject') {
    if (result.status < 300) return { ...ui, toast: toast(nowMs, 'USB drive:', 'safe to remove') };
    if (result.status === 409) return { ...ui, toast: toast(nowMs, 'No USB drive', 'to eject') };
    return { ...ui, toast: toast(nowMs, 'NOT safe to remove:', errorText(result.body)) };
  }
  if (result.status >= 300) return { ...ui, toast: toast(nowMs, action.type === 'start-all' ? 'Start failed:' : 'Stop failed:', errorText(result.body)) };
  if (action.type === 'start-all') {
    const started = (result.body as { started?: unknown } | null)?.started;
    if (Array.isArray(started) && started.length === 0) return { ...ui, toast: toast(nowMs, 'Nothing to start:', 'no enabled encoder', 'is stopped') };
    return ui;
  }
  return { ...ui, toast: toast(nowMs, 'Off air:', 'all streams stopped') };
}

/** Time passing: messages expire, an idle panel goes back to the home screen. */
export function expire(ui: UiState, nowMs: number): UiState {
  let next = ui;
  if (next.toast && nowMs >= next.toast.untilMs) next = { ...next, toast: null };
  if (next.screen !== 'home' && nowMs - next.lastInputMs >= IDLE_MS) next = { ...next, screen: 'home' };
  return next;
}
