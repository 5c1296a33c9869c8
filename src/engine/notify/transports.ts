// The two ways a notification leaves the box: an HTTP POST (webhooks) and a mail through an SMTP server
// (nodemailer: TLS from the first byte, or STARTTLS required, or plain for a relay on the local network;
// AUTH when a user is set). Each attempt has its own deadline; retries are the notifier's business.
import http from 'node:http';
import https from 'node:https';
import { rootCertificates } from 'node:tls';
import type { EmailSettings } from '../alarms/alarm-settings.js';
import type { WebhookRequest } from './message.js';

const WEBHOOK_TIMEOUT_MS = 10_000;
const SMTP_TIMEOUT_MS = 20_000;
const USER_AGENT = 'RackCast alarm notifier';

/** POSTs the request; resolves on a 2xx answer, rejects with the reason in words otherwise. */
export function postWebhook(url: string, req: WebhookRequest): Promise<void> {
  return new Promise((resolve, reject) => {
    const u = new URL(url);
    const body = Buffer.from(req.body, 'utf8');
    const client = u.protocol === 'https:' ? https : http;
    const request = client.request(
      u,
      { method: 'POST', agent: false, headers: { ...req.headers, 'content-length': String(body.length), 'user-agent': USER_AGENT, connection: 'close' } },
      (res) => {
        const chunks: Buffer[] = [];
        let size = 0;
        res.on('data', (c: Buffer) => {
          // Only the start of an error page is kept for the message.
          if (size < 1024) chunks.push(c);
          size += c.length;
        });
        res.on('end', () => {
          const status = res.statusCode ?? 0;
          if (status >= 200 && status < 300) resolve();
          else reject(new Error(`the webhook answered ${status}${chunks.length ? `: ${Buffer.concat(chunks).toString('utf8').slice(0, 200).trim()}` : ''}`));
        });
        res.on('error', reject);
      },
    );
    request.setTimeout(WEBHOOK_TIMEOUT_MS, () => request.destroy(new Error(`the webhook did not answer within ${WEBHOOK_TIMEOUT_MS / 1000} s`)));
    request.on('error', (err: NodeJS.ErrnoException) => reject(new Error(err.code === 'ECONNREFUSED' ? `${u.host} refused the connection` : err.message)));
    request.end(body);
  });
}

export async function sendMail(settings: EmailSettings, mail: { subject: string; text: string }): Promise<void> {
  // Loaded with the first mail: a box that never mails (most) keeps nodemailer's 4 MB of heap for itself.
  const { default: nodemailer } = await import('nodemailer');
  const transport = nodemailer.createTransport({
    host: settings.host,
    port: settings.port,
    secure: settings.security === 'tls',
    requireTLS: settings.security === 'starttls',
    ignoreTLS: settings.security === 'none',
    auth: settings.username ? { user: settings.username, pass: settings.password ?? '' } : undefined,
    // Node's `ca` replaces the system's CAs; a station's own certificate is trusted besides them.
    tls: settings.ca_cert ? { ca: [...rootCertificates, settings.ca_cert] } : undefined,
    connectionTimeout: SMTP_TIMEOUT_MS,
    greetingTimeout: SMTP_TIMEOUT_MS,
    socketTimeout: SMTP_TIMEOUT_MS,
  });
  try {
    await transport.sendMail({ from: settings.from, to: settings.to, subject: mail.subject, text: mail.text, headers: { 'X-Mailer': USER_AGENT } });
  } catch (err) {
    throw new Error(describeMailError(settings, err));
  } finally {
    transport.close();
  }
}

const CERT_CODES = new Set(['DEPTH_ZERO_SELF_SIGNED_CERT', 'SELF_SIGNED_CERT_IN_CHAIN', 'UNABLE_TO_VERIFY_LEAF_SIGNATURE', 'UNABLE_TO_GET_ISSUER_CERT_LOCALLY', 'UNABLE_TO_GET_ISSUER_CERT', 'CERT_UNTRUSTED', 'CERT_HAS_EXPIRED', 'CERT_NOT_YET_VALID', 'ERR_TLS_CERT_ALTNAME_INVALID']);

/** What went wrong with a mail, in an engineer's words; TLS trouble says which setting to look at. */
export function describeMailError(settings: Pick<EmailSettings, 'host' | 'port' | 'security'>, err: unknown): string {
  const e = err as { message?: string; code?: string; cause?: { code?: string; message?: string } } | null;
  const message = (e?.message ?? String(err)).trim();
  const tlsCode = [e?.code, e?.cause?.code].find((c) => c !== undefined && CERT_CODES.has(c));
  if (tlsCode || /self[- ]signed certificate|unable to verify the first certificate|unable to get (local )?issuer certificate|altnames/i.test(message)) {
    const why = tlsCode === 'ERR_TLS_CERT_ALTNAME_INVALID' || /altnames/i.test(message)
      ? `it is not for "${settings.host}"`
      : /expired/i.test(message) ? 'it has expired' : 'no trusted CA signed it (a station CA or a self-signed certificate goes in email.ca_cert)';
    return `the SMTP server's certificate was refused: ${why} (${message})`;
  }
  if (settings.security === 'starttls' && /STARTTLS/i.test(message)) return `the SMTP server at ${settings.host}:${settings.port} does not offer STARTTLS, which security "starttls" requires (${message})`;
  if (settings.security === 'tls' && /wrong version number|packet length too long|unknown protocol|Greeting never received/i.test(message)) {
    return `the SMTP server at ${settings.host}:${settings.port} does not speak TLS from the first byte (it answered in plain text); port 587 usually wants security "starttls"`;
  }
  // nodemailer's own codes (ESOCKET, ECONNECTION, EDNS) wrap the system's, which its message names.
  const code = e?.code === 'ESOCKET' || e?.code === 'ECONNECTION' ? e?.cause?.code ?? /\b(E[A-Z]+)\b/.exec(message)?.[1] : e?.code;
  if (code === 'EDNS' || code === 'ENOTFOUND' || code === 'EAI_AGAIN') return `the SMTP server's name "${settings.host}" could not be resolved`;
  if (code === 'ECONNREFUSED') return `${settings.host}:${settings.port} refused the connection`;
  if (code === 'ETIMEDOUT') return `the SMTP server at ${settings.host}:${settings.port} did not answer in time`;
  return message;
}
