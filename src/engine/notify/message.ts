// What a notification says, and the bodies each kind of target gets. Pure, with exact-output tests.
//
// RackCast's own JSON body (template "json"), POSTed with Content-Type application/json:
//   {
//     "event": "alarm_raised" | "alarm_cleared" | "alarm_summary" | "test",
//     "station": "Radio X",                 the station_name setting
//     "host": "rackcast-studio",            the box's host name
//     "at": "2026-05-01T03:12:45.123Z",     when the notification was made
//     "text": "RAISED Silence: ...",        one line for people
//     "alarm": {id, kind, subject, level, encoder_id, since, cleared, text} | null,
//     "held": 0,                            alarm_summary: how many changes the storm limit held back
//     "alarms": [...]                       alarm_summary: the held changes, oldest first (at most 50)
//   }
// Templates for services that want their own shape: "ntfy" (the text as the body, Title/Priority/Tags
// headers), "slack" ({text}), "teams" (an Office 365 connector MessageCard).
import type { Alarm } from '../alarms/alarm-model.js';
import type { WebhookTemplate } from '../alarms/alarm-settings.js';

export type NotificationEvent = 'alarm_raised' | 'alarm_cleared' | 'alarm_summary' | 'test';

export interface Notification {
  event: NotificationEvent;
  station: string;
  host: string;
  at: string;
  alarm: Alarm | null;
  /** alarm_summary: the changes held back by the storm limit. */
  held: { event: 'alarm_raised' | 'alarm_cleared'; alarm: Alarm }[];
}

const MAX_LISTED = 50;

/** One line for people: "RAISED Silence: ..." / "CLEARED ..." / "12 alarm changes held back: ...". */
export function notificationText(n: Notification): string {
  switch (n.event) {
    case 'alarm_raised':
      return `RAISED ${n.alarm?.text ?? ''}`;
    case 'alarm_cleared':
      return `CLEARED ${n.alarm?.text ?? ''}`;
    case 'alarm_summary': {
      const raised = n.held.filter((h) => h.event === 'alarm_raised').length;
      const kinds = [...new Set(n.held.map((h) => h.alarm.kind))].join(', ');
      return `${n.held.length} alarm changes held back by the notification limit (${raised} raised; ${kinds}); the latest: ${n.held.at(-1)?.alarm.text ?? ''}`;
    }
    case 'test':
      return `Test notification from ${n.station} (${n.host}): this target works`;
  }
}

export function notificationSubject(n: Notification): string {
  const what = n.event === 'alarm_raised' ? `ALARM ${n.alarm?.kind ?? ''}` : n.event === 'alarm_cleared' ? `cleared ${n.alarm?.kind ?? ''}` : n.event === 'alarm_summary' ? `${n.held.length} alarm changes` : 'test';
  return `[${n.station}] ${what}${n.alarm && n.event !== 'test' ? `: ${n.alarm.subject}` : ''}`;
}

export function jsonBody(n: Notification): Record<string, unknown> {
  return {
    event: n.event,
    station: n.station,
    host: n.host,
    at: n.at,
    text: notificationText(n),
    alarm: n.alarm,
    held: n.held.length,
    alarms: n.held.slice(-MAX_LISTED).map((h) => ({ event: h.event, ...h.alarm })),
  };
}

export interface WebhookRequest {
  headers: Record<string, string>;
  body: string;
}

export function webhookRequest(n: Notification, template: WebhookTemplate): WebhookRequest {
  const text = notificationText(n);
  switch (template) {
    case 'json':
      return { headers: { 'content-type': 'application/json' }, body: JSON.stringify(jsonBody(n)) };
    case 'ntfy': {
      const urgent = n.event === 'alarm_raised' && n.alarm?.level === 'error';
      // ntfy reads its headers as Latin-1; the title is plain ASCII so it never mangles.
      return {
        headers: {
          'content-type': 'text/plain; charset=utf-8',
          title: asciiOnly(notificationSubject(n)),
          priority: urgent ? 'urgent' : n.event === 'alarm_raised' ? 'high' : 'default',
          tags: n.event === 'alarm_raised' ? 'rotating_light' : n.event === 'alarm_cleared' ? 'white_check_mark' : 'information_source',
        },
        body: text,
      };
    }
    case 'slack':
      return { headers: { 'content-type': 'application/json' }, body: JSON.stringify({ text: `*${notificationSubject(n)}*\n${text}` }) };
    case 'teams':
      return {
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({
          '@type': 'MessageCard',
          '@context': 'http://schema.org/extensions',
          summary: notificationSubject(n),
          themeColor: n.event === 'alarm_raised' ? 'D32F2F' : n.event === 'alarm_cleared' ? '388E3C' : '1976D2',
          title: notificationSubject(n),
          text,
        }),
      };
  }
}

function asciiOnly(s: string): string {
  return s.replace(/[^\x20-\x7e]/g, '?');
}
