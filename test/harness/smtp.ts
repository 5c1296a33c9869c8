// A real SMTP server for the tests (the smtp-server package, from nodemailer's authors) on loopback: one
// account, every AUTH and every mail it receives kept with whether the connection was under TLS then.
// Plain with AUTH by default (a relay on the station's network); `options` gives it TLS on connect
// (`secure`, `key`, `cert`) or STARTTLS (`key`, `cert`).
import type { AddressInfo } from 'node:net';
import { SMTPServer, type SMTPServerOptions } from 'smtp-server';

export interface ReceivedMail {
  from: string;
  to: string[];
  raw: string;
  user: string;
  secure: boolean;
}

export interface SmtpPeer {
  port: number;
  mails: ReceivedMail[];
  /** Every AUTH the server was offered, and whether the connection was under TLS then. */
  auths: { user: string; secure: boolean }[];
  close(): Promise<void>;
}

export async function startSmtpPeer(account: { user: string; password: string }, options: SMTPServerOptions = { disabledCommands: ['STARTTLS'], allowInsecureAuth: true }): Promise<SmtpPeer> {
  const mails: ReceivedMail[] = [];
  const auths: SmtpPeer['auths'] = [];
  const server = new SMTPServer({
    authMethods: ['PLAIN', 'LOGIN'],
    logger: false,
    ...options,
    onAuth(auth, session, cb) {
      auths.push({ user: auth.username ?? '', secure: session.secure });
      if (auth.username === account.user && auth.password === account.password) cb(null, { user: auth.username });
      else cb(new Error('bad credentials'));
    },
    onData(stream, session, cb) {
      let raw = '';
      stream.on('data', (c: Buffer) => (raw += c.toString('utf8')));
      stream.on('end', () => {
        const from = session.envelope.mailFrom ? session.envelope.mailFrom.address : '';
        mails.push({ from, to: session.envelope.rcptTo.map((r) => r.address), raw, user: String(session.user), secure: session.secure });
        cb();
      });
    },
  });
  // A client that gives up mid-handshake (the TLS refusals) is the test's point, not an error of the peer.
  server.on('error', () => undefined);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { port: (server.server.address() as AddressInfo).port, mails, auths, close: () => new Promise<void>((r) => server.close(() => r())) };
}
