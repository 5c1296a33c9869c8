// Alarm mail over TLS, against real SMTP servers (smtp-server) on loopback with certificates openssl makes:
// TLS from the first byte and STARTTLS, each with AUTH only over TLS; the station's own CA trusted through
// email.ca_cert, a self-signed relay trusted by its own certificate, and every refusal in plain words
// (an untrusted certificate, a server without STARTTLS, a plain port asked for TLS) without the password
// ever crossing the wire in the clear.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { SMTPServerOptions } from 'smtp-server';
import { sendMail } from '../../../src/engine/notify/transports.js';
import { DEFAULT_ALARM_SETTINGS, parseAlarmSettings, type EmailSettings } from '../../../src/engine/alarms/alarm-settings.js';
import { makeTestCertificates, type TestCertificates } from '../../harness/certs.js';
import { startSmtpPeer, type SmtpPeer } from '../../harness/smtp.js';

const peers: SmtpPeer[] = [];
let certs: TestCertificates;
let implicitTls: SmtpPeer;
let startTls: SmtpPeer;
let selfSigned: SmtpPeer;
let plainOnly: SmtpPeer;

async function smtpPeer(options: SMTPServerOptions): Promise<SmtpPeer> {
  const peer = await startSmtpPeer({ user: 'rackcast', password: 'mail-pw' }, options);
  peers.push(peer);
  return peer;
}

function mailTo(peer: SmtpPeer, over: Partial<EmailSettings>): EmailSettings {
  return { host: '127.0.0.1', port: peer.port, security: 'starttls', username: 'rackcast', password: 'mail-pw', from: 'rack@radio-x.example', to: ['studio@radio-x.example'], ca_cert: null, ...over };
}

async function refusal(settings: EmailSettings): Promise<string> {
  try {
    await sendMail(settings, { subject: 'test', text: 'test' });
  } catch (err) {
    return (err as Error).message;
  }
  throw new Error('the mail was sent');
}

test.before(async () => {
  certs = makeTestCertificates();
  implicitTls = await smtpPeer({ secure: true, key: certs.serverKey, cert: certs.serverCert });
  startTls = await smtpPeer({ secure: false, key: certs.serverKey, cert: certs.serverCert });
  selfSigned = await smtpPeer({ secure: false, key: certs.strangerKey, cert: certs.strangerCert });
  plainOnly = await smtpPeer({ secure: false, disabledCommands: ['STARTTLS'], allowInsecureAuth: true });
});

test.after(async () => {
  await Promise.all(peers.map((p) => p.close()));
});

test('email.ca_cert: PEM certificates are kept one per block; anything else is refused naming the field', () => {
  const base = { host: 'smtp.example', from: 'a@radio-x.example', to: ['b@radio-x.example'] };
  const roots = { dataDir: '/var/lib/rackcast', recordingsDir: '/srv/recordings' };
  const ok = parseAlarmSettings({ email: { ...base, ca_cert: `station CA:\n${certs.caCert}\nand the relay:\n${certs.strangerCert}` } }, DEFAULT_ALARM_SETTINGS, roots);
  assert.ok(ok.ok);
  if (ok.ok) assert.is(ok.value.email?.ca_cert, `${certs.caCert.trim()}\n${certs.strangerCert.trim()}\n`);
  const none = parseAlarmSettings({ email: { ...base, ca_cert: '' } }, DEFAULT_ALARM_SETTINGS, roots);
  assert.ok(none.ok && none.value.email?.ca_cert === null);
  const broken = certs.caCert.replace(/\n[A-Za-z0-9+/]{20}/, '\nAAAAAAAAAAAAAAAAAAAA');
  for (const bad of ['trust me', broken, 42]) {
    const r = parseAlarmSettings({ email: { ...base, ca_cert: bad } }, DEFAULT_ALARM_SETTINGS, roots);
    assert.ok(!r.ok && r.errors.length === 1 && r.errors[0]!.field === 'email.ca_cert', JSON.stringify(r));
  }
});

test('TLS from the first byte (465) with the station CA trusted: delivered, AUTH under TLS', async () => {
  await sendMail(mailTo(implicitTls, { security: 'tls', ca_cert: certs.caCert }), { subject: '[Radio X] ALARM silence', text: 'RAISED silence' });
  assert.is(implicitTls.mails.length, 1);
  assert.equal([implicitTls.mails[0]!.secure, implicitTls.mails[0]!.user], [true, 'rackcast']);
  assert.equal(implicitTls.auths, [{ user: 'rackcast', secure: true }]);
  assert.match(implicitTls.mails[0]!.raw, /^Subject: \[Radio X\] ALARM silence\r?$/m);
});

test('STARTTLS (587) with the station CA trusted: upgraded before AUTH, delivered', async () => {
  await sendMail(mailTo(startTls, { ca_cert: certs.caCert }), { subject: 'cleared', text: 'CLEARED silence' });
  assert.equal(startTls.mails.map((m) => [m.secure, m.user]), [[true, 'rackcast']]);
  assert.equal(startTls.auths, [{ user: 'rackcast', secure: true }]);
});

test('an untrusted certificate is refused in words, and nothing, not the password, is sent', async () => {
  const before = { mails: startTls.mails.length, auths: startTls.auths.length };
  const noCa = await refusal(mailTo(startTls, {}));
  assert.match(noCa, /^the SMTP server's certificate was refused: no trusted CA signed it \(a station CA or a self-signed certificate goes in email\.ca_cert\)/);
  const implicit = await refusal(mailTo(implicitTls, { security: 'tls' }));
  assert.match(implicit, /certificate was refused: no trusted CA signed it/);
  // The station CA does not vouch for a certificate it never signed.
  const stranger = await refusal(mailTo(selfSigned, { ca_cert: certs.caCert }));
  assert.match(stranger, /certificate was refused: no trusted CA signed it/);
  assert.equal([startTls.mails.length, startTls.auths.length, selfSigned.auths.length], [before.mails, before.auths, 0]);
});

test('a self-signed relay is trusted by its own certificate in email.ca_cert, under the name it was made for', async () => {
  const otherName = await refusal(mailTo(selfSigned, { ca_cert: certs.strangerCert }));
  assert.match(otherName, /^the SMTP server's certificate was refused: it is not for "127\.0\.0\.1"/);
  await sendMail(mailTo(selfSigned, { host: 'localhost', ca_cert: certs.strangerCert }), { subject: 'test', text: 'test' });
  assert.equal(selfSigned.mails.map((m) => m.secure), [true]);
});

test('a server that is not there: refused, or a name that does not resolve, in words', async () => {
  assert.is(await refusal(mailTo(implicitTls, { port: 9 })), '127.0.0.1:9 refused the connection');
  assert.is(await refusal(mailTo(implicitTls, { host: 'smtp.invalid' })), 'the SMTP server\'s name "smtp.invalid" could not be resolved');
});

test('security "starttls" against a server without STARTTLS, and "tls" against a plain port: refused in words, no AUTH in the clear', async () => {
  const noStarttls = await refusal(mailTo(plainOnly, { ca_cert: certs.caCert }));
  assert.match(noStarttls, new RegExp(`^the SMTP server at 127\\.0\\.0\\.1:${plainOnly.port} does not offer STARTTLS, which security "starttls" requires`));
  const notTls = await refusal(mailTo(plainOnly, { security: 'tls' }));
  assert.is(notTls, `the SMTP server at 127.0.0.1:${plainOnly.port} does not speak TLS from the first byte (it answered in plain text); port 587 usually wants security "starttls"`);
  assert.equal([plainOnly.auths.length, plainOnly.mails.length], [0, 0]);
});

test.run();
