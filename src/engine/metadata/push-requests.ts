// The title-update requests and how to read their answers (PROTOCOLS.md §2.1–2.4, §3.3, §4).
// Pure: request paths, byte-exact encodings and reply verdicts are tested with plain strings.
import { icySafe } from './sanitize.js';
import type { MetadataCharset } from './types.js';

/** DNAS 1 treats a request whose User-Agent lacks "Mozilla" as a listener (PROTOCOLS.md §3.3). */
export const METADATA_USER_AGENT = 'RackCast/0.1 (Mozilla compatible)';
/**
 * Icecast reads a request head into 4096 bytes and silently drops longer ones; the request line
 * is most of it. A CJK title triples in percent-encoding, so the song is cut to fit this.
 */
export const MAX_PATH_CHARS = 3000;

// Typographic characters a Latin-1 server would otherwise get as "?".
const LATIN1_FALLBACK: Record<string, string> = {
  '\u2018': "'", '\u2019': "'", '\u201a': "'", '\u201c': '"', '\u201d': '"', '\u201e': '"',
  '\u2013': '-', '\u2014': '-', '\u2026': '...', '\u20ac': 'EUR',
};

/** ISO-8859-1 bytes; characters outside it become their closest ASCII or "?". */
export function toLatin1(text: string): Buffer {
  let out = '';
  for (const ch of text) {
    const code = ch.codePointAt(0)!;
    out += code < 0x100 ? ch : (LATIN1_FALLBACK[ch] ?? '?');
  }
  return Buffer.from(out, 'latin1');
}

/** %XX for every byte but the unreserved ones: safe for Icecast's decoder (`+`, `%`, `#`, `&`, `=`). */
export function percentEncode(bytes: Uint8Array): string {
  let out = '';
  for (const b of bytes) {
    const ch = String.fromCharCode(b);
    out += /[A-Za-z0-9\-._~]/.test(ch) ? ch : `%${b.toString(16).toUpperCase().padStart(2, '0')}`;
  }
  return out;
}

function encodeIn(text: string, charset: MetadataCharset): string {
  return percentEncode(charset === 'ISO-8859-1' ? toLatin1(text) : Buffer.from(text, 'utf8'));
}

/** The longest prefix of `song` whose encoding fits `budget` characters. */
function fitted(song: string, charset: MetadataCharset, budget: number): string {
  let used = 0;
  let out = '';
  for (const ch of song) {
    const size = encodeIn(ch, charset).length;
    if (used + size > budget) return out.trimEnd();
    used += size;
    out += ch;
  }
  return out;
}

/** What the server will put between `StreamTitle='` and `';`, for this charset. */
export function icyTitle(song: string, charset: MetadataCharset): string {
  return icySafe(song, charset !== 'ISO-8859-1');
}

export interface IcecastMetadataRequest {
  mount: string;
  song: string;
  charset: MetadataCharset;
}

/**
 * `GET /admin/metadata?mount=…&mode=updinfo&song=…[&charset=…]`. With 'none' the UTF-8 bytes go
 * without a charset parameter (Icecast 2.4 then stores them raw, for servers whose mounts are set up
 * that way); with a charset the server converts to the mount's own.
 */
export function icecastMetadataPath(req: IcecastMetadataRequest): string {
  const mount = req.mount.startsWith('/') ? req.mount : `/${req.mount}`;
  const head = `/admin/metadata?mount=${percentEncode(Buffer.from(mount, 'utf8'))}&mode=updinfo&song=`;
  const tail = req.charset === 'none' ? '' : `&charset=${req.charset}`;
  const song = fitted(icyTitle(req.song, req.charset), req.charset, MAX_PATH_CHARS - head.length - tail.length);
  return `${head}${encodeIn(song, req.charset)}${tail}`;
}

export interface ShoutcastMetadataRequest {
  password: string;
  song: string;
  /** DNAS 2 stream id; omitted when null (stream 1, DNAS 1, Icecast compat). */
  sid: number | null;
  charset: MetadataCharset;
}

/** `GET /admin.cgi?pass=…&mode=updinfo&song=…[&sid=N]` for the server's base port. No charset: nobody honours it here. */
export function shoutcastMetadataPath(req: ShoutcastMetadataRequest): string {
  const head = `/admin.cgi?pass=${percentEncode(Buffer.from(req.password, 'utf8'))}&mode=updinfo&song=`;
  const tail = req.sid !== null ? `&sid=${req.sid}` : '';
  const song = fitted(icyTitle(req.song, req.charset), req.charset, MAX_PATH_CHARS - head.length - tail.length);
  return `${head}${encodeIn(song, req.charset)}${tail}`;
}

/** soon: the mount is not registered yet (just connected); backoff: a transient fault; never: retrying cannot help. */
export type RetryKind = 'soon' | 'backoff' | 'never';
export type PushVerdict = { ok: true } | { ok: false; error: string; retry: RetryKind };

/** A server's reply as words for the status and the log; a password it echoes (some repeat the URL) is hidden. */
export function bodyText(body: string): string {
  return body
    .replace(/<[^>]*>/g, ' ')
    .replace(/\b(pass|password)=[^&\s"'<>]*/gi, '$1=(hidden)')
    .replace(/\s+/g, ' ')
    .trim()
    .slice(0, 200);
}

function notRegistered(body: string): boolean {
  return /source does not exist|source is not available/i.test(body);
}

/** Icecast answers 200 with `<return>1</return>` even when it refused, so the message decides. */
export function classifyIcecastMetadataReply(status: number, body: string): PushVerdict {
  if (status === 200) {
    const message = /<message>([\s\S]*?)<\/message>/i.exec(body)?.[1]?.trim() ?? bodyText(body);
    if (/^metadata update successful$/i.test(message)) return { ok: true };
    return { ok: false, error: `server refused the title: ${message || 'empty reply'}`, retry: 'never' };
  }
  if ((status === 400 || status === 404) && notRegistered(body)) return { ok: false, error: 'mount not registered on the server yet', retry: 'soon' };
  if (status === 401) return { ok: false, error: 'server refused the source credentials for title updates (401)', retry: 'never' };
  if (status === 405) return { ok: false, error: 'server refuses title updates by GET (405, Icecast strict mode)', retry: 'never' };
  const said = bodyText(body);
  return { ok: false, error: `HTTP ${status}${said ? `: ${said}` : ''}`, retry: status >= 500 ? 'backoff' : 'never' };
}

/** DNAS 2 answers an empty 200 (also for titles it quietly ignores); Icecast's compat path a small HTML page. */
export function classifyShoutcastMetadataReply(status: number, body: string): PushVerdict {
  const said = bodyText(body);
  if (status === 200) {
    if (said === '' || /metadata update successful/i.test(said)) return { ok: true };
    if (/not accept|illegal|invalid|denied/i.test(said)) return { ok: false, error: `server refused the title: ${said}`, retry: 'never' };
    return { ok: true };
  }
  if ((status === 400 || status === 404) && notRegistered(body)) return { ok: false, error: 'stream not registered on the server yet', retry: 'soon' };
  if (status === 401 || status === 403) return { ok: false, error: `server refused the password for title updates (${status})`, retry: 'never' };
  return { ok: false, error: `HTTP ${status}${said ? `: ${said}` : ''}`, retry: status >= 500 ? 'backoff' : 'never' };
}

// A fresh source takes Icecast a moment to register; other faults get a couple of slower tries.
const SOON_DELAYS_MS = [300, 700, 1000, 2000, 2000, 3000];
const BACKOFF_DELAYS_MS = [2000, 6000];

/** Delay before retry number `retry` (1-based) of this kind, or null when it is time to give up. */
export function pushRetryDelayMs(retry: number, kind: RetryKind): number | null {
  const table = kind === 'soon' ? SOON_DELAYS_MS : kind === 'backoff' ? BACKOFF_DELAYS_MS : [];
  return table[retry - 1] ?? null;
}
