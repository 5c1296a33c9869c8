// The collector's only network code: one GET with a hard deadline, its own connection, a capped
// body and the User-Agent DNAS 1 insists on. Parsing is elsewhere (the parsers take an HttpReply).
import http from 'node:http';
import type { HttpReply } from './types.js';

/** DNAS 1 answers stats pages only to a browser-like User-Agent (PROTOCOLS.md §3.3, §5.5). */
export const STATS_USER_AGENT = 'Mozilla/5.0 (compatible; RackCast listener stats)';
/** Big Icecast servers list many mounts, but nothing legitimate is this large. */
export const MAX_STATS_BODY_BYTES = 2 * 1024 * 1024;

export interface StatsRequest {
  url: string;
  auth?: { user: string; password: string } | null;
  /** The whole request (connect, headers, body) must finish within this. */
  timeoutMs: number;
  signal?: AbortSignal;
}

export type Fetched = { ok: true; reply: HttpReply } | { ok: false; error: string };

/** How the collector fetches; tests may pass a fake. Never rejects. */
export type HttpGetter = (req: StatsRequest) => Promise<Fetched>;

function networkError(err: unknown): string {
  const code = typeof err === 'object' && err !== null && 'code' in err ? String((err as { code: unknown }).code) : '';
  if (code === 'ECONNREFUSED') return 'connection refused';
  if (code === 'ENOTFOUND' || code === 'EAI_AGAIN') return 'host not found';
  if (code === 'ECONNRESET') return 'connection reset';
  if (code === 'EHOSTUNREACH' || code === 'ENETUNREACH') return 'host unreachable';
  return err instanceof Error ? err.message : String(err);
}

export const httpGetReply: HttpGetter = (req) =>
  new Promise<Fetched>((resolve) => {
    let settled = false;
    const finish = (result: Fetched): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      req.signal?.removeEventListener('abort', onAbort);
      resolve(result);
    };
    const headers: Record<string, string> = { Connection: 'close', 'User-Agent': STATS_USER_AGENT, Accept: '*/*' };
    if (req.auth) headers.Authorization = 'Basic ' + Buffer.from(`${req.auth.user}:${req.auth.password}`).toString('base64');
    let request: http.ClientRequest;
    try {
      request = http.get(req.url, { agent: false, headers }, (res) => {
        const chunks: Buffer[] = [];
        let size = 0;
        res.on('data', (chunk: Buffer) => {
          size += chunk.length;
          if (size > MAX_STATS_BODY_BYTES) {
            request.destroy();
            finish({ ok: false, error: `reply larger than ${MAX_STATS_BODY_BYTES} bytes` });
            return;
          }
          chunks.push(chunk);
        });
        res.on('end', () => finish({ ok: true, reply: { status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') } }));
        res.on('error', (err) => finish({ ok: false, error: networkError(err) }));
      });
    } catch (err) {
      // An invalid URL (a host name the URL parser refuses) throws synchronously.
      resolve({ ok: false, error: networkError(err) });
      return;
    }
    const timer = setTimeout(() => {
      request.destroy();
      finish({ ok: false, error: `no answer within ${Math.round(req.timeoutMs / 100) / 10} s` });
    }, Math.max(0, req.timeoutMs));
    const onAbort = (): void => {
      request.destroy();
      finish({ ok: false, error: 'stopped' });
    };
    if (req.signal?.aborted) onAbort();
    else req.signal?.addEventListener('abort', onAbort, { once: true });
    request.on('error', (err) => finish({ ok: false, error: networkError(err) }));
  });
