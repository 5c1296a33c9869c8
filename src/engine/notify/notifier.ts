// Notifications of alarms: every raise and clear goes to each target (webhooks, the e-mail recipients),
// each target with its own storm limit (storm.ts) and its own retries (retry.ts), on the control
// thread, in the background: a dead webhook delays nothing, and a target that gives up is logged as
// `notification_failed`. The test button sends to every target at once, past the storm limit.
import { hostname } from 'node:os';
import type { EventLog } from '../db/event-log.js';
import type { Alarm } from '../alarms/alarm-model.js';
import type { AlarmSettings, EmailSettings, WebhookTarget } from '../alarms/alarm-settings.js';
import type { AlarmChange } from '../alarms/alarm-service.js';
import { notificationSubject, notificationText, webhookRequest, type Notification, type WebhookRequest } from './message.js';
import { deliveryRetryDelayMs } from './retry.js';
import { emptyStorm, flush, nextFlushAtMs, offer, type StormState } from './storm.js';
import { postWebhook, sendMail } from './transports.js';
import { log } from '../log.js';

const debug = log('notify');

type Held = { event: 'alarm_raised' | 'alarm_cleared'; alarm: Alarm };

type Target = { kind: 'webhook'; webhook: WebhookTarget } | { kind: 'email'; email: EmailSettings };

export interface TargetStatus {
  target: string;
  sent: number;
  failed: number;
  /** Changes held by the storm limit now, waiting for their summary. */
  held: number;
  last_sent_at: string | null;
  last_error: string | null;
  last_error_at: string | null;
}

interface TargetState {
  storm: StormState<Held>;
  flushTimer: NodeJS.Timeout | null;
  status: TargetStatus;
}

export interface Transports {
  webhook(url: string, req: WebhookRequest): Promise<void>;
  email(settings: EmailSettings, mail: { subject: string; text: string }): Promise<void>;
}

export interface NotifierDeps {
  settings: () => AlarmSettings;
  station: () => string;
  eventLog: EventLog;
  transports?: Transports;
  now?: () => number;
  random?: () => number;
  /** The wait after failed attempt n, or null to give up (retry.ts; tests shorten it). */
  retryDelayMs?: (attempt: number) => number | null;
}

/** A target's name in status and logs: the webhook's URL without credentials or query, or "email". */
function targetName(t: Target): string {
  if (t.kind === 'email') return `email to ${t.email.to.join(', ')}`;
  try {
    const u = new URL(t.webhook.url);
    return `${t.webhook.template} ${u.protocol}//${u.host}${u.pathname}`;
  } catch {
    return t.webhook.url;
  }
}

function targetKey(t: Target): string {
  return t.kind === 'email' ? 'email' : `webhook ${t.webhook.template} ${t.webhook.url}`;
}

export class Notifier {
  private readonly states = new Map<string, TargetState>();
  private readonly timers = new Set<NodeJS.Timeout>();
  private readonly transports: Transports;
  private readonly now: () => number;
  private stopped = false;

  constructor(private readonly deps: NotifierDeps) {
    this.transports = deps.transports ?? { webhook: postWebhook, email: sendMail };
    this.now = deps.now ?? Date.now;
  }

  alarmChanged(change: AlarmChange): void {
    if (this.stopped) return;
    const held: Held = { event: change.type === 'raised' ? 'alarm_raised' : 'alarm_cleared', alarm: change.alarm };
    const max = this.deps.settings().notify_max_per_hour;
    for (const target of this.targets()) {
      const state = this.state(target);
      const offered = offer(state.storm, held, this.now(), max);
      state.storm = offered.state;
      if (offered.send) this.deliver(target, state, this.notification(held.event, held.alarm, []));
      else this.scheduleFlush(target, state);
    }
  }

  /** The test button: one notification to every target now, each result in words. */
  async test(): Promise<{ target: string; ok: boolean; error?: string }[]> {
    const n = this.notification('test', null, []);
    return Promise.all(
      this.targets().map(async (t) => {
        try {
          await this.send(t, n);
          return { target: targetName(t), ok: true };
        } catch (err) {
          return { target: targetName(t), ok: false, error: err instanceof Error ? err.message : String(err) };
        }
      }),
    );
  }

  status(): TargetStatus[] {
    return this.targets().map((t) => ({ ...this.state(t).status, held: this.state(t).storm.held.length }));
  }

  stop(): void {
    this.stopped = true;
    for (const t of this.timers) clearTimeout(t);
    this.timers.clear();
    for (const s of this.states.values()) if (s.flushTimer) clearTimeout(s.flushTimer);
  }

  private targets(): Target[] {
    const s = this.deps.settings();
    const out: Target[] = s.webhooks.map((webhook) => ({ kind: 'webhook' as const, webhook }));
    if (s.email) out.push({ kind: 'email', email: s.email });
    return out;
  }

  private state(t: Target): TargetState {
    const key = targetKey(t);
    let state = this.states.get(key);
    if (!state) {
      state = { storm: emptyStorm(), flushTimer: null, status: { target: targetName(t), sent: 0, failed: 0, held: 0, last_sent_at: null, last_error: null, last_error_at: null } };
      this.states.set(key, state);
    }
    return state;
  }

  private notification(event: Notification['event'], alarm: Alarm | null, held: Held[]): Notification {
    return { event, alarm, held, station: this.deps.station(), host: hostname(), at: new Date(this.now()).toISOString() };
  }

  private scheduleFlush(target: Target, state: TargetState): void {
    if (state.flushTimer) return;
    const at = nextFlushAtMs(state.storm, this.deps.settings().notify_max_per_hour);
    if (at === null) return;
    state.flushTimer = setTimeout(() => {
      state.flushTimer = null;
      if (this.stopped) return;
      const flushed = flush(state.storm, this.now(), this.deps.settings().notify_max_per_hour);
      state.storm = flushed.state;
      if (flushed.summary) this.deliver(target, state, this.notification('alarm_summary', flushed.summary.at(-1)?.alarm ?? null, flushed.summary));
      else this.scheduleFlush(target, state);
    }, Math.max(1000, at - this.now()));
    state.flushTimer.unref();
  }

  private send(t: Target, n: Notification): Promise<void> {
    if (t.kind === 'webhook') return this.transports.webhook(t.webhook.url, webhookRequest(n, t.webhook.template));
    return this.transports.email(t.email, { subject: notificationSubject(n), text: `${notificationText(n)}\n\n${mailDetails(n)}` });
  }

  /** Sends in the background with retries; a target that gives up is logged. */
  private deliver(target: Target, state: TargetState, n: Notification): void {
    const attempt = (k: number): void => {
      if (this.stopped) return;
      this.send(target, n).then(
        () => {
          state.status.sent++;
          state.status.last_sent_at = new Date(this.now()).toISOString();
        },
        (err: unknown) => {
          const why = err instanceof Error ? err.message : String(err);
          state.status.last_error = why;
          state.status.last_error_at = new Date(this.now()).toISOString();
          const delay = this.deps.retryDelayMs ? this.deps.retryDelayMs(k) : deliveryRetryDelayMs(k, this.deps.random);
          debug('%s: attempt %d failed: %s; %s', state.status.target, k, why, delay === null ? 'giving up' : `retry in ${delay} ms`);
          if (delay === null) {
            state.status.failed++;
            this.deps.eventLog.add({ level: 'warning', kind: 'notification_failed', message: `Alarm notification to ${state.status.target} failed after ${k} attempts: ${why}`, data: { event: n.event, alarm_kind: n.alarm?.kind ?? null } });
            return;
          }
          const timer = setTimeout(() => {
            this.timers.delete(timer);
            attempt(k + 1);
          }, delay);
          timer.unref();
          this.timers.add(timer);
        },
      );
    };
    attempt(1);
  }
}


function mailDetails(n: Notification): string {
  const lines = [`Station: ${n.station}`, `Box: ${n.host}`, `At: ${n.at}`];
  if (n.alarm && n.event !== 'alarm_summary') {
    lines.push(`Alarm: ${n.alarm.kind} (${n.alarm.subject}), ${n.alarm.level}`, `Since: ${n.alarm.since}`);
    if (n.alarm.cleared) lines.push(`Cleared: ${n.alarm.cleared}`);
  }
  if (n.event === 'alarm_summary') {
    lines.push('', 'Held back:');
    for (const h of n.held.slice(-50)) lines.push(`${h.event === 'alarm_raised' ? 'RAISED ' : 'CLEARED'} ${h.alarm.since} ${h.alarm.text}`);
  }
  return lines.join('\n');
}
