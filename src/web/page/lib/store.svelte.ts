// The page's state: what the engine said last (status, encoders, now playing, recordings), kept current
// by the live link, and the actions the views call. One instance, `app`; views read its fields and call
// its methods, and never talk to the API about shared state themselves.
import { api, ApiError, setUnauthorizedHandler } from './api.js';
import { EventLink, type LinkState } from './events.js';
import type { SseEvent as SseMessage } from '../../../panel/sse-parser.js';
import type {
  ChannelLevel, EncoderConfig, EncoderStatus, EncoderStatusEvent, EngineStatus, HistoryEntry, LevelsEvent, ListenerUpdate,
  MetadataOverview, NowPlaying, RecordingOverview, RecordingStatus, SessionInfo, CaptureStatus,
} from './types.js';
import type { OperatorEvent } from '../../../engine/db/event-log.js';

export type AuthState = 'checking' | 'unreachable' | 'locked' | 'setup' | 'signed_out' | 'signed_in';

/** Counters (bytes sent, uptime) are not evented; the status is re-read this often while signed in. */
const STATUS_REFRESH_MS = 5000;
const HISTORY_SHOWN = 10;

type ListenerListener = (update: ListenerUpdate) => void;
type LogListener = (event: OperatorEvent) => void;

class AppState {
  auth = $state<AuthState>('checking');
  /** Why the sign-in form is showing again (session ended), or how to unlock the engine. */
  authMessage = $state<string | null>(null);
  link = $state<LinkState>('stopped');
  linkDetail = $state<string | null>(null);
  status = $state<EngineStatus | null>(null);
  encoders = $state<EncoderConfig[]>([]);
  levels = $state<ChannelLevel[]>([]);
  nowPlaying = $state<NowPlaying | null>(null);
  history = $state<HistoryEntry[]>([]);
  recordings = $state<Record<number, RecordingStatus>>({});
  /** null: not asked yet; 'unavailable': this engine has no recording API. */
  recordingOverview = $state<RecordingOverview | null | 'unavailable'>(null);
  /** Bumped by every alarm_raised / alarm_cleared, so the alarms view reloads its history. */
  alarmChanges = $state(0);
  /** A clock for uptimes and countdowns, ticking once a second. */
  now = $state(Date.now());

  private link$: EventLink | null = null;
  private clock: ReturnType<typeof setInterval> | null = null;
  private statusTimer: ReturnType<typeof setInterval> | null = null;
  private statusSoon: ReturnType<typeof setTimeout> | null = null;
  private listenerListeners = new Set<ListenerListener>();
  private logListeners = new Set<LogListener>();
  /** The station's name: the page's title. */
  stationName = $state('RackCast');
  /** The box's clock (GET /api/system, every minute): a warning above every view while NTP has not synced. */
  clockState = $state<'synchronized' | 'unsynchronized' | 'unknown'>('unknown');
  private clockTimer: ReturnType<typeof setInterval> | null = null;

  statusOf(id: number): EncoderStatus | undefined {
    return this.status?.encoders.find((e) => e.id === id) as EncoderStatus | undefined;
  }

  configOf(id: number): EncoderConfig | undefined {
    return this.encoders.find((e) => e.id === id);
  }

  /** Every problem the operator should see now: the engine's alarms and the page's own link trouble. */
  get alarms(): string[] {
    const out: string[] = [];
    if (this.auth === 'signed_in' && this.link === 'reconnecting') out.push(`No contact with the engine: ${this.linkDetail ?? 'reconnecting'}. What you see may be out of date.`);
    for (const a of this.status?.alarms ?? []) out.push(a.text);
    if (this.auth === 'signed_in' && this.clockState === 'unsynchronized') out.push('The box\'s clock is not synchronised yet (no NTP): file rotation and cue times follow it. Check the network\'s time server.');
    return out;
  }

  /** Every event the engine logs from now on (the log view). */
  onLogEvent(fn: LogListener): () => void {
    this.logListeners.add(fn);
    return () => this.logListeners.delete(fn);
  }

  async refreshClock(): Promise<void> {
    this.clockState = (await api.get<{ clock: { state: AppState['clockState'] } }>('/api/system')).clock.state;
  }

  async refreshStation(): Promise<void> {
    this.stationName = (await api.get<{ station_name: string }>('/api/station')).station_name;
    if (typeof document !== 'undefined') document.title = `${this.stationName} · RackCast`;
  }

  onListenerUpdate(fn: ListenerListener): () => void {
    this.listenerListeners.add(fn);
    return () => this.listenerListeners.delete(fn);
  }

  async init(): Promise<void> {
    setUnauthorizedHandler(() => this.signedOut('Your session has ended (the page was idle for 12 hours, or the admin password was changed). Sign in again.'));
    this.clock ??= setInterval(() => (this.now = Date.now()), 1000);
    await this.checkSession();
  }

  async checkSession(): Promise<void> {
    try {
      const info = await api.get<SessionInfo>('/api/session');
      if (info.locked && info.setup) {
        this.auth = 'setup';
      } else if (info.locked) {
        this.auth = 'locked';
        this.authMessage = info.hint ?? null;
      } else if (info.signed_in) {
        await this.enter();
      } else {
        this.auth = 'signed_out';
      }
    } catch (err) {
      this.auth = 'unreachable';
      this.authMessage = err instanceof ApiError ? err.message : String(err);
      setTimeout(() => void this.checkSession(), 3000);
    }
  }

  /** Signs in; resolves to an error message for the form, or null when signed in. */
  async signIn(password: string): Promise<string | null> {
    try {
      await api.post('/api/session', { password });
    } catch (err) {
      if (!(err instanceof ApiError)) return String(err);
      if (err.status === 503) {
        this.auth = 'locked';
        return null;
      }
      return err.status === 401 ? 'Wrong password.' : `${err.message.charAt(0).toUpperCase()}${err.message.slice(1)}.`;
    }
    await this.enter();
    return null;
  }

  /** The first visit: the box's setup code and the new admin password; resolves like signIn. */
  async setUp(code: string, password: string): Promise<string | null> {
    try {
      await api.post('/api/setup', { code, password });
    } catch (err) {
      if (!(err instanceof ApiError)) return String(err);
      if (err.status === 409) {
        this.auth = 'signed_out';
        return null;
      }
      return err.status === 401 ? 'Wrong setup code: it is on the box\'s screen and console.' : `${err.message.charAt(0).toUpperCase()}${err.message.slice(1)}.`;
    }
    await this.enter();
    return null;
  }

  async signOut(): Promise<void> {
    try {
      await api.del('/api/session');
    } finally {
      this.signedOut(null);
    }
  }

  private async enter(): Promise<void> {
    this.authMessage = null;
    this.auth = 'signed_in';
    await this.reloadAll();
    this.link$?.stop();
    this.link$ = new EventLink({
      onMessage: (m) => this.apply(m),
      onState: (state, detail) => {
        this.link = state;
        this.linkDetail = detail;
      },
      // After a gap, what happened meanwhile was not evented to us: read it all again.
      onOpen: () => void this.reloadAll(),
      onUnauthorized: () => this.signedOut('Your session has ended (the page was idle for 12 hours, or the admin password was changed). Sign in again.'),
    });
    this.link$.start();
    if (this.clockTimer) clearInterval(this.clockTimer);
    void this.refreshClock().catch(() => undefined);
    this.clockTimer = setInterval(() => void this.refreshClock().catch(() => undefined), 60_000);
    if (this.statusTimer) clearInterval(this.statusTimer);
    let ticks = 0;
    this.statusTimer = setInterval(() => {
      void this.refreshStatus();
      // Free space changes slowly; the drive is asked every sixth time.
      if (++ticks % 6 === 0) void this.refreshRecordings().catch(() => undefined);
    }, STATUS_REFRESH_MS);
  }

  private signedOut(message: string | null): void {
    if (this.auth !== 'signed_in' && this.auth !== 'checking') return;
    this.link$?.stop();
    this.link$ = null;
    if (this.statusTimer) clearInterval(this.statusTimer);
    this.statusTimer = null;
    if (this.clockTimer) clearInterval(this.clockTimer);
    this.clockTimer = null;
    this.auth = 'signed_out';
    this.authMessage = message;
    this.status = null;
    this.encoders = [];
    this.levels = [];
  }

  /** Reads everything again. Failures are left to the link and the alarms: an unreachable engine shows as such, a 401 signs out. */
  async reloadAll(): Promise<void> {
    const quiet = (p: Promise<void>): Promise<void> => p.catch((err: unknown) => {
      if (!(err instanceof ApiError)) console.warn('reload failed', err);
    });
    await Promise.all([quiet(this.refreshStatus()), quiet(this.refreshMetadata()), quiet(this.refreshStation()), quiet(this.refreshEncoders().then(() => this.refreshRecordings()))]);
  }

  async refreshStatus(): Promise<void> {
    try {
      this.status = await api.get<EngineStatus>('/api/status');
      if (this.levels.length === 0) this.levels = this.status.capture.levels;
    } catch (err) {
      if (!(err instanceof ApiError) || !err.unreachable) throw err;
    }
  }

  async refreshEncoders(): Promise<void> {
    this.encoders = await api.get<EncoderConfig[]>('/api/encoders');
  }

  async refreshMetadata(): Promise<void> {
    const m = await api.get<MetadataOverview>(`/api/metadata?limit=${HISTORY_SHOWN}`);
    this.nowPlaying = m.now_playing;
    this.history = m.history;
  }

  /** Recording state and free space, when this engine has them: an older engine answers 404 and the page shows none. */
  async refreshRecordings(): Promise<void> {
    try {
      this.recordingOverview = await api.get<RecordingOverview>('/api/recording');
    } catch (err) {
      if (err instanceof ApiError && err.status === 404) this.recordingOverview = 'unavailable';
      return;
    }
    const entries = await Promise.all(
      this.encoders.filter((c) => c.output_type === 'file').map(async (c) => [c.id, await api.get<RecordingStatus>(`/api/encoders/${c.id}/recording`)] as const),
    );
    this.recordings = Object.fromEntries(entries);
  }

  /** One status refresh soon, however many events ask for it: the engine's alarm list stays the one truth. */
  private refreshStatusSoon(): void {
    if (this.statusSoon) return;
    this.statusSoon = setTimeout(() => {
      this.statusSoon = null;
      void this.refreshStatus();
    }, 250);
  }

  private apply(m: SseMessage): void {
    let data: unknown;
    try {
      data = JSON.parse(m.data);
    } catch {
      return;
    }
    switch (m.event) {
      case 'levels':
        this.levels = (data as LevelsEvent).channels;
        return;
      case 'encoder_status_changed':
        return this.applyStatus(data as EncoderStatusEvent);
      case 'listener_count_updated':
        return this.applyListeners(data as ListenerUpdate);
      case 'metadata_changed': {
        const np = data as NowPlaying;
        this.nowPlaying = np;
        this.history = [{ ...np, id: -Date.now() }, ...this.history].slice(0, HISTORY_SHOWN);
        return;
      }
      case 'capture_status_changed':
        if (this.status) this.status.capture = { ...this.status.capture, ...(data as CaptureStatus) };
        return this.refreshStatusSoon();
      case 'recording_rotation':
        return void this.refreshRecordings();
      case 'live_listen_changed':
        if (this.status) this.status.live_listen = data as EngineStatus['live_listen'];
        return;
      case 'event_logged':
        for (const fn of this.logListeners) fn(data as OperatorEvent);
        return;
      case 'alarm_raised':
      case 'alarm_cleared':
        this.alarmChanges++;
        return this.refreshStatusSoon();
    }
  }

  private applyStatus(event: EncoderStatusEvent): void {
    const list = this.status?.encoders;
    const i = list?.findIndex((e) => e.id === event.id) ?? -1;
    if (!list || i < 0) return this.refreshStatusSoon();
    const { status: _status, error: _error, ...fields } = event;
    list[i] = { ...list[i]!, ...fields };
    if (event.recording) this.recordings[event.id] = event.recording;
    this.refreshStatusSoon();
  }

  private applyListeners(u: ListenerUpdate): void {
    const entry = this.status?.encoders.find((e) => e.id === u.encoderId);
    if (entry) {
      const previous = entry.listeners;
      entry.listeners = { encoder_id: u.encoderId, current: u.count, peak: u.peak, unique: previous?.unique ?? null, bitrate: previous?.bitrate ?? null, at: u.at, error: u.error, live: true };
    }
    for (const fn of this.listenerListeners) fn(u);
  }

  // --- actions --------------------------------------------------------------------------------

  async start(id: number): Promise<void> {
    await api.post(`/api/encoders/${id}/start`);
    await this.refreshStatus();
  }

  async stop(id: number): Promise<void> {
    await api.post(`/api/encoders/${id}/stop`);
    await this.refreshStatus();
  }

  async startAll(): Promise<number[]> {
    const r = await api.post<{ started: number[] }>('/api/encoders/start-all');
    await this.refreshStatus();
    return r.started;
  }

  async stopAll(): Promise<void> {
    await api.post('/api/encoders/stop-all');
    await this.refreshStatus();
  }

  async setEnabled(id: number, enabled: boolean): Promise<void> {
    await api.put(`/api/encoders/${id}`, { enabled });
    await Promise.all([this.refreshEncoders(), this.refreshStatus()]);
  }

  /** Creates (no id) or updates an encoder; resolves to its id. Field errors arrive as an ApiError's `errors`. */
  async save(id: number | null, body: Record<string, unknown>): Promise<number> {
    const saved = id === null ? (await api.post<{ id: number }>('/api/encoders', body)).id : (await api.put<EncoderConfig>(`/api/encoders/${id}`, body)).id;
    await Promise.all([this.refreshEncoders(), this.refreshStatus()]);
    await this.refreshRecordings();
    return saved;
  }

  async remove(id: number): Promise<void> {
    await api.del(`/api/encoders/${id}`);
    await Promise.all([this.refreshEncoders(), this.refreshStatus()]);
  }
}

export const app = new AppState();

/** Encoders that are on air or trying to be (what stop-all would take off air). */
export function activeCount(status: EngineStatus | null): number {
  return status?.encoders.filter((e) => e.state !== 'disabled').length ?? 0;
}
