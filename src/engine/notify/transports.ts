// The two ways a notification leaves the box: an HTTP POST (webhooks) and a mail through an SMTP server
// (nodemailer: TLS from the first byte, or STARTTLS required, or plain for a relay on the local network;
// AUTH when a user is set). Each attempt has its own deadline; retries are the notifier's business.
import http from 'node:http';
import https from 'node:https';
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
    connectionTimeout: SMTP_TIMEOUT_MS,
    greetingTimeout: SMTP_TIMEOUT_MS,
    socketTimeout: SMTP_TIMEOUT_MS,
  });
  try {
    await transport.sendMail({ from: settings.from, to: settings.to, subject: mail.subject, text: mail.text, headers: { 'X-Mailer': USER_AGENT } });
  } finally {
    transport.close();
  }
}
