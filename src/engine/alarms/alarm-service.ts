// The alarms as a feature of the engine: it gathers the conditions (the dead-air sensor's report from the
// audio worker, and the capture, encoder and storage states), raises and clears alarms in the `alarms`
// table, logs them, tells the engine (SSE) through `onChange` and the notifier (webhooks, mail). It owns
// the alarm settings and hands the worker its part of them (the detectors and the fallback).
import type BetterSqlite3 from 'better-sqlite3';
import type { SettingsStore } from '../db/settings-store.js';
import type { EventLog } from '../db/event-log.js';
import type { DeadAirPlan, DeadAirReport } from '../fallback/dead-air.js';
import { AlarmStore } from './alarm-store.js';
import { Notifier, type TargetStatus, type Transports } from '../notify/notifier.js';
import { alarmKey, detectorConditions, diffAlarms, type Alarm, type AlarmCondition } from './alarm-model.js';
import {
  ALARM_SETTINGS_KEY,
  detectorSettings,
  loadAlarmSettings,
  parseAlarmSettings,
  type AlarmSettings,
  type FieldError,
  type PathRoots,
} from './alarm-settings.js';

/** How often the engine's states are looked at for alarms (the detectors' news comes at once). */
const EVALUATE_MS = 500;

export type AlarmChange = { type: 'raised' | 'cleared'; alarm: Alarm };

export class AlarmSettingsError extends Error {
  constructor(readonly errors: FieldError[]) {
    super(errors.map((e) => `${e.field} ${e.message}`).join('; '));
  }
}

export interface AlarmServiceDeps {
  db: BetterSqlite3.Database;
  settings: SettingsStore;
  eventLog: EventLog;
  roots: () => PathRoots;
  audio: { setDeadAirPlan(plan: DeadAirPlan): void; releaseFallback(): void; deadAir(): DeadAirReport | null };
  /** The capture, encoder and storage conditions that hold now. */
  statusConditions: () => AlarmCondition[];
  onChange: (change: AlarmChange) => void;
  /** How notifications leave the box (tests may swap them); webhooks over HTTP and SMTP mail by default. */
  transports?: Transports;
  now?: () => number;
}

export class AlarmService {
  private readonly store: AlarmStore;
  private readonly open = new Map<string, Alarm>();
  private current: AlarmSettings;
  private timer: NodeJS.Timeout | null = null;
  /** Whether the fallback was on air at the last look, so its start and end are logged once each. */
  private fallbackOnAir = false;
  private readonly now: () => number;
  private readonly notifier: Notifier;

  constructor(private readonly deps: AlarmServiceDeps) {
    this.store = new AlarmStore(deps.db);
    this.now = deps.now ?? Date.now;
    this.current = loadAlarmSettings(deps.settings.get<unknown>(ALARM_SETTINGS_KEY, {}), deps.roots());
    this.notifier = new Notifier({
      settings: () => this.current,
      station: () => deps.settings.get<string>('station_name', 'RackCast'),
      eventLog: deps.eventLog,
      transports: deps.transports,
      now: this.now,
    });
  }

  start(): void {
    const closed = this.store.closeLeftOpen(new Date(this.now()).toISOString());
    if (closed > 0) this.deps.eventLog.add({ level: 'info', kind: 'alarm_cleared', message: `${closed} alarm(s) left open by the last run closed at start; what still holds is raised again` });
    this.deps.audio.setDeadAirPlan(this.plan());
    this.timer = setInterval(() => this.evaluate(), EVALUATE_MS);
    this.timer.unref();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    this.notifier.stop();
  }

  /** The test button: a notification to every target now, with each one's result. */
  testNotifications(): Promise<{ target: string; ok: boolean; error?: string }[]> {
    return this.notifier.test();
  }

  /** Each target's counts and last error. */
  notificationStatus(): TargetStatus[] {
    return this.notifier.status();
  }

  settings(): AlarmSettings {
    return this.current;
  }

  updateSettings(input: unknown): AlarmSettings {
    const parsed = parseAlarmSettings(input, this.current, this.deps.roots());
    if (!parsed.ok) throw new AlarmSettingsError(parsed.errors);
    this.current = parsed.value;
    this.deps.settings.set(ALARM_SETTINGS_KEY, parsed.value);
    this.deps.audio.setDeadAirPlan(this.plan());
    this.deps.eventLog.add({ level: 'info', kind: 'config_changed', message: 'Alarm settings changed' });
    return this.current;
  }

  /** Alarms raised now, oldest first. */
  active(): Alarm[] {
    return [...this.open.values()];
  }

  /** Current and past alarms, newest first. */
  history(limit = 100): Alarm[] {
    return this.store.recent(limit);
  }

  releaseFallback(): void {
    this.deps.audio.releaseFallback();
    this.deps.eventLog.add({ level: 'info', kind: 'fallback_released', message: 'Fallback released by the operator: back to the programme' });
  }

  /** Raises what holds and is not raised, clears what is raised and no longer holds. */
  evaluate(): void {
    const conditions: AlarmCondition[] = [];
    const deadAir = this.deps.audio.deadAir();
    if (deadAir) conditions.push(...detectorConditions(deadAir.detectors, this.current.silence_threshold_dbfs));
    const fb = deadAir?.fallback;
    this.logFallback(fb?.active ?? false, fb?.source?.file ?? null);
    if (fb?.active && fb.source?.error) {
      conditions.push({ kind: 'fallback_unavailable', subject: fb.source.dir, level: 'error', text: `Fallback unavailable: ${fb.source.error}` });
    }
    conditions.push(...this.deps.statusConditions());
    const texts = new Map([...this.open].map(([k, a]) => [k, a.text]));
    const changes = diffAlarms(texts, conditions);
    const nowMs = this.now();
    for (const key of changes.cleared) {
      const alarm = this.open.get(key)!;
      this.open.delete(key);
      const cleared = this.store.clear(alarm, new Date(nowMs).toISOString());
      this.deps.eventLog.add({ level: 'info', kind: 'alarm_cleared', encoderId: alarm.encoder_id, message: `Cleared: ${alarm.text}`, data: { alarm_kind: alarm.kind, subject: alarm.subject, since: alarm.since } });
      this.deps.onChange({ type: 'cleared', alarm: cleared });
      this.notifier.alarmChanged({ type: 'cleared', alarm: cleared });
    }
    for (const c of changes.reworded) {
      const key = alarmKey(c);
      const alarm = this.open.get(key);
      if (alarm) this.open.set(key, { ...alarm, text: c.text });
    }
    for (const c of changes.raised) {
      const alarm = this.store.raise(c, new Date(c.sinceMs ?? nowMs).toISOString());
      this.open.set(alarmKey(c), alarm);
      this.deps.eventLog.add({ level: c.level, kind: 'alarm_raised', encoderId: c.encoderId ?? null, message: c.text, data: { alarm_kind: c.kind, subject: c.subject } });
      this.deps.onChange({ type: 'raised', alarm });
      this.notifier.alarmChanged({ type: 'raised', alarm });
    }
  }

  private logFallback(active: boolean, file: string | null): void {
    if (active === this.fallbackOnAir) return;
    this.fallbackOnAir = active;
    if (active) this.deps.eventLog.add({ level: 'warning', kind: 'fallback_started', message: `Fallback audio on air${file ? ` (${file})` : ''} while the programme is silent`, data: { file } });
    else this.deps.eventLog.add({ level: 'info', kind: 'fallback_ended', message: 'Back to the programme: the fallback audio is off air' });
  }

  private plan(): DeadAirPlan {
    const s = this.current;
    return { detectors: detectorSettings(s), fallbackSource: s.fallback_source, fallbackDir: s.fallback_dir, fallbackOrder: s.fallback_order, crossfadeMs: s.crossfade_ms, autoReturn: s.auto_return, recordFallback: s.record_fallback };
  }
}
