// The title update's only network code: one GET to the address the source connection uses, from
// the source connection's own local address. Icecast ignores a source-credential title update that
// comes from a different IP than the source (PROTOCOLS.md §2.1 "same-IP rule"; dual-stack hosts
// and multi-homed boxes are where that bites), so the request goes out of the same door.
import http from 'node:http';

export interface PushRequest {
  /** The IP the source connection is connected to. */
  address: string;
  port: number;
  /** The Host header: the configured server name and port. */
  hostHeader: string;
  path: string;
  /** The source connection's local IP; the request is bound to it. */
  localAddress?: string;
  auth?: { user: string; password: string } | null;
  userAgent: string;
  timeoutMs: number;
}

export type PushReply = { ok: true; status: number; body: string } | { ok: false; error: string };

/** Never rejects. Tests pass a fake. */
export type PushGetter = (req: PushRequest) => Promise<PushReply>;

const MAX_REPLY_BYTES = 64 * 1024;

function networkError(err: NodeJS.ErrnoException): string {
  if (err.code === 'ECONNREFUSED') return 'connection refused';
  if (err.code === 'ECONNRESET') return 'connection reset';
  if (err.code === 'EADDRNOTAVAIL') return 'the source connection\'s local address is gone';
  if (err.code === 'EHOSTUNREACH' || err.code === 'ENETUNREACH') return 'host unreachable';
  return err.message;
}

export const httpPush: PushGetter = (req) =>
  new Promise<PushReply>((resolve) => {
    let settled = false;
    const finish = (reply: PushReply): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      resolve(reply);
    };
    const headers: Record<string, string> = { Host: req.hostHeader, 'User-Agent': req.userAgent, Connection: 'close' };
    if (req.auth) headers.Authorization = `Basic ${Buffer.from(`${req.auth.user}:${req.auth.password}`, 'utf8').toString('base64')}`;
    let request: http.ClientRequest;
    try {
      request = http.request(
        { host: req.address, port: req.port, path: req.path, method: 'GET', headers, localAddress: req.localAddress, agent: false, setHost: false },
        (res) => {
          const chunks: Buffer[] = [];
          let size = 0;
          res.on('data', (chunk: Buffer) => {
            size += chunk.length;
            if (size <= MAX_REPLY_BYTES) chunks.push(chunk);
          });
          res.on('end', () => finish({ ok: true, status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }));
          res.on('error', (err) => finish({ ok: false, error: networkError(err) }));
        },
      );
    } catch (err) {
      resolve({ ok: false, error: (err as Error).message });
      return;
    }
    const timer = setTimeout(() => {
      request.destroy();
      finish({ ok: false, error: `no answer within ${req.timeoutMs} ms` });
    }, req.timeoutMs);
    request.on('error', (err) => finish({ ok: false, error: networkError(err) }));
    request.end();
  });
