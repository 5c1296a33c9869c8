// The notifier against real peers on loopback: an HTTP receiver (that fails first, to see the retry), and a
// real SMTP server (the smtp-server package) with AUTH, receiving the mail nodemailer sends.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import http from 'node:http';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AddressInfo } from 'node:net';
import { Notifier } from '../../../src/engine/notify/notifier.js';
import { DEFAULT_ALARM_SETTINGS, type AlarmSettings } from '../../../src/engine/alarms/alarm-settings.js';
import type { Alarm } from '../../../src/engine/alarms/alarm-model.js';
import { openDatabase } from '../../../src/engine/db/database.js';
import { EventLog } from '../../../src/engine/db/event-log.js';
import { removeOnExit, waitFor } from '../../harness/util.js';
import { startSmtpPeer, type SmtpPeer } from '../../harness/smtp.js';

interface Received {
  path: string;
  headers: http.IncomingHttpHeaders;
  body: string;
}

const received: Received[] = [];
let failNext = 0;
let web: http.Server;
let webUrl = '';
let smtp: SmtpPeer;
let smtpPort = 0;

const silence: Alarm = { id: 7, kind: 'silence', subject: 'programme', level: 'error', encoder_id: null, since: '2026-05-01T03:12:35.000Z', cleared: null, text: 'Silence: the programme has been below -50 dBFS since 05:12:35' };

function eventLog(): EventLog {
  const dir = mkdtempSync(join(tmpdir(), 'rackcast-notify-'));
  removeOnExit(dir);
  return new EventLog(openDatabase(join(dir, 'rackcast.db')));
}

test.before(async () => {
  web = http.createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString('utf8')));
    req.on('end', () => {
      received.push({ path: req.url ?? '', headers: req.headers, body });
      if (failNext > 0) {
        failNext--;
        res.writeHead(500).end('receiver busy');
      } else res.writeHead(200).end('ok');
    });
  });
  await new Promise<void>((r) => web.listen(0, '127.0.0.1', r));
  webUrl = `http://127.0.0.1:${(web.address() as AddressInfo).port}`;
  smtp = await startSmtpPeer({ user: 'rackcast', password: 'mail-pw' });
  smtpPort = smtp.port;
});

test.after(async () => {
  await new Promise((r) => web.close(r));
  await smtp.close();
});

function notifier(settings: Partial<AlarmSettings>, log = eventLog()): Notifier {
  const s = { ...DEFAULT_ALARM_SETTINGS, ...settings };
  return new Notifier({ settings: () => s, station: () => 'Radio X', eventLog: log, retryDelayMs: (n) => (n < 3 ? 50 : null) });
}

test('a raise reaches the webhook as the documented JSON, after a retry when the receiver fails once', async () => {
  received.length = 0;
  failNext = 1;
  const n = notifier({ webhooks: [{ url: `${webUrl}/hook?token=abc`, template: 'json' }] });
  n.alarmChanged({ type: 'raised', alarm: silence });
  await waitFor(() => received.length === 2, { timeoutMs: 5000, what: 'two deliveries (one failed, one retried)' });
  assert.is(received[0]!.body, received[1]!.body, 'the retry sends the same body');
  assert.is(received[1]!.path, '/hook?token=abc');
  assert.match(String(received[1]!.headers['content-type']), /^application\/json/);
  const body = JSON.parse(received[1]!.body);
  assert.equal(Object.keys(body).sort(), ['alarm', 'alarms', 'at', 'event', 'held', 'host', 'station', 'text']);
  assert.is(body.event, 'alarm_raised');
  assert.is(body.station, 'Radio X');
  assert.equal(body.alarm, silence);
  assert.is(body.text, `RAISED ${silence.text}`);
  await waitFor(() => n.status()[0]!.sent === 1, { timeoutMs: 1000, what: 'counted as sent' });
  assert.is(n.status()[0]!.target, `json ${webUrl}/hook`, 'the status names the target without its query');
  n.stop();
});

test('ntfy, Slack and Teams bodies', async () => {
  received.length = 0;
  const n = notifier({ webhooks: [{ url: `${webUrl}/ntfy`, template: 'ntfy' }, { url: `${webUrl}/slack`, template: 'slack' }, { url: `${webUrl}/teams`, template: 'teams' }] });
  n.alarmChanged({ type: 'cleared', alarm: { ...silence, cleared: '2026-05-01T03:20:00.000Z' } });
  await waitFor(() => received.length === 3, { timeoutMs: 5000, what: 'three deliveries' });
  const by = (p: string) => received.find((r) => r.path === p)!;
  assert.is(by('/ntfy').body, `CLEARED ${silence.text}`);
  assert.is(by('/ntfy').headers.title, '[Radio X] cleared silence: programme');
  assert.is(by('/ntfy').headers.tags, 'white_check_mark');
  assert.equal(JSON.parse(by('/slack').body), { text: `*[Radio X] cleared silence: programme*\nCLEARED ${silence.text}` });
  const teams = JSON.parse(by('/teams').body);
  assert.is(teams['@type'], 'MessageCard');
  assert.is(teams.themeColor, '388E3C');
  assert.is(teams.text, `CLEARED ${silence.text}`);
  n.stop();
});

test('mail through a real SMTP server with AUTH: subject, sender, recipients and the alarm in words', async () => {
  smtp.mails.length = 0;
  const n = notifier({ email: { host: '127.0.0.1', port: smtpPort, security: 'none', username: 'rackcast', password: 'mail-pw', from: 'rack@radio-x.example', to: ['studio@radio-x.example', 'eng@radio-x.example'] } });
  n.alarmChanged({ type: 'raised', alarm: silence });
  await waitFor(() => smtp.mails.length === 1, { timeoutMs: 10_000, what: 'the mail' });
  const m = smtp.mails[0]!;
  assert.is(m.user, 'rackcast');
  assert.is(m.from, 'rack@radio-x.example');
  assert.equal(m.to, ['studio@radio-x.example', 'eng@radio-x.example']);
  assert.match(m.raw, /^Subject: \[Radio X\] ALARM silence: programme\r?$/m);
  assert.ok(m.raw.includes(`RAISED ${silence.text}`), m.raw);
  assert.ok(m.raw.includes('Since: 2026-05-01T03:12:35.000Z'));
  n.stop();
});

test('the test button reports each target: a working one, a refused password, a dead webhook', async () => {
  const n = notifier({
    webhooks: [`${webUrl}/test`, 'http://127.0.0.1:9/dead'].map((url) => ({ url, template: 'json' as const })),
    email: { host: '127.0.0.1', port: smtpPort, security: 'none', username: 'rackcast', password: 'wrong', from: 'rack@radio-x.example', to: ['studio@radio-x.example'] },
  });
  const results = await n.test();
  assert.is(results.length, 3);
  assert.equal(results[0], { target: `json ${webUrl}/test`, ok: true });
  assert.is(results[1]!.ok, false);
  assert.match(results[1]!.error ?? '', /refused the connection/);
  assert.is(results[2]!.ok, false);
  assert.match(results[2]!.error ?? '', /Invalid login|bad credentials|535/i);
  n.stop();
});

test('a storm: 40 changes in a second reach a limit-of-4 webhook 3 times, the rest held for one summary', async () => {
  received.length = 0;
  const n = notifier({ webhooks: [{ url: `${webUrl}/storm`, template: 'json' }], notify_max_per_hour: 4 });
  for (let i = 0; i < 40; i++) n.alarmChanged({ type: i % 2 ? 'cleared' : 'raised', alarm: { ...silence, id: i } });
  await waitFor(() => received.length >= 3, { timeoutMs: 5000, what: '3 deliveries' });
  await new Promise((r) => setTimeout(r, 300));
  assert.is(received.length, 3, 'one slot of the hour is kept for the summary');
  assert.is(n.status()[0]!.held, 37);
  n.stop();
});

test('a target that keeps failing is given up after its retries and logged as notification_failed', async () => {
  const log = eventLog();
  const n = notifier({ webhooks: [{ url: 'http://127.0.0.1:9/dead', template: 'json' }] }, log);
  n.alarmChanged({ type: 'raised', alarm: silence });
  await waitFor(() => log.recent().some((e) => e.kind === 'notification_failed'), { timeoutMs: 5000, what: 'notification_failed' });
  const e = log.recent().find((x) => x.kind === 'notification_failed')!;
  assert.match(e.message, /^Alarm notification to json http:\/\/127\.0\.0\.1:9\/dead failed after 3 attempts: 127\.0\.0\.1:9 refused the connection$/);
  assert.is(n.status()[0]!.failed, 1);
  n.stop();
});

test.run();
