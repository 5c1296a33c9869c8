// Icecast stats parsers (PROTOCOLS.md §5.1–5.2): the public /status-json.xsl and the authenticated
// /admin/stats XML. Pure functions of (reply, mount), tested against replies recorded from icecast2.
import { statusFailure, toCount, type HttpReply, type StatsResult } from './types.js';

type Json = Record<string, unknown>;

function isObject(v: unknown): v is Json {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/**
 * JSON.parse, then once more after quoting bare tokens that are not JSON values. The XSLT emits any
 * text that passes its number test unquoted, so a title of "-" comes out as `"title":-` (recorded in
 * test/fixtures/stats/icecast-status-json-invalid.http; AzuraCast patches the same thing).
 */
export function parseLenientJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch (first) {
    const repaired = text.replace(/("\s*:\s*)([^\s"{}[\],][^,}\]]*?)(\s*[,}\]])/g, (whole, pre: string, token: string, post: string) => {
      try {
        JSON.parse(token);
        return whole;
      } catch {
        return `${pre}${JSON.stringify(token)}${post}`;
      }
    });
    if (repaired === text) throw first;
    return JSON.parse(repaired);
  }
}

/** The path of a listenurl (status-json has no mount field, quirk 2); null when it is not a URL. */
function pathOf(listenurl: unknown): string | null {
  if (typeof listenurl !== 'string') return null;
  try {
    return decodeURIComponent(new URL(listenurl).pathname);
  } catch {
    return null;
  }
}

function text(v: unknown): string | null {
  if (v === null || v === undefined) return null;
  return typeof v === 'string' ? v : String(v);
}

/** kbps from whichever field the source sent: bitrate / ice-bitrate (kbps), audio_bitrate (bps), audio_info. */
function bitrateOf(get: (key: string) => unknown): number | null {
  const kbps = toCount(get('bitrate')) ?? toCount(get('ice-bitrate'));
  if (kbps !== null) return kbps;
  const bps = toCount(get('audio_bitrate'));
  if (bps !== null) return Math.round(bps / 1000);
  const info = text(get('audio_info'));
  const m = info ? /(?:^|;)\s*(?:ice-)?bitrate=(\d+)/.exec(info) : null;
  return m ? Number(m[1]) : null;
}

/** Icecast `/status-json.xsl`: source as object, array or absent; every field typed by guesswork. */
export function parseIcecastStatusJson(reply: HttpReply, mount: string): StatsResult {
  const failed = statusFailure(reply);
  if (failed) return failed;
  let doc: unknown;
  try {
    doc = parseLenientJson(reply.body);
  } catch (err) {
    return { kind: 'malformed', detail: `invalid JSON: ${(err as Error).message}` };
  }
  const icestats = isObject(doc) ? doc.icestats : undefined;
  if (!isObject(icestats)) return { kind: 'malformed', detail: 'no "icestats" object' };
  const src = icestats.source;
  const list = src == null ? [] : Array.isArray(src) ? src : [src];
  const source = list.find((s): s is Json => isObject(s) && pathOf(s.listenurl) === mount);
  if (!source) return { kind: 'not_found' };
  return {
    kind: 'ok',
    current: toCount(source.listeners) ?? 0,
    peak: toCount(source.listener_peak) ?? 0,
    unique: null,
    bitrate: bitrateOf((k) => source[k]),
    title: text(source.title),
  };
}

const ENTITIES: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };

/** Decodes the five XML entities and numeric character references. */
export function decodeXml(s: string): string {
  return s.replace(/&(#x[0-9a-f]+|#\d+|[a-z]+);/gi, (whole, ref: string) => {
    if (ref[0] === '#') {
      const code = ref[1] === 'x' || ref[1] === 'X' ? parseInt(ref.slice(2), 16) : parseInt(ref.slice(1), 10);
      return Number.isFinite(code) && code > 0 && code <= 0x10ffff ? String.fromCodePoint(code) : whole;
    }
    return ENTITIES[ref.toLowerCase()] ?? whole;
  });
}

/** The direct text children of one <source> element: <name>text</name> pairs (no nesting in Icecast's stats). */
function childElements(xml: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const m of xml.matchAll(/<([A-Za-z_][\w.-]*)(?:\s[^>]*)?>([^<]*)<\/\1>|<([A-Za-z_][\w.-]*)(?:\s[^>]*)?\/>/g)) {
    if (m[1] !== undefined) out.set(m[1], decodeXml(m[2] ?? ''));
    else if (m[3] !== undefined) out.set(m[3], '');
  }
  return out;
}

/** Icecast `/admin/stats` (XML, Basic auth): here the mount is an attribute of <source>. */
export function parseIcecastAdminStats(reply: HttpReply, mount: string): StatsResult {
  const failed = statusFailure(reply);
  if (failed) return failed;
  if (!/<icestats[\s>]/.test(reply.body) || !/<\/icestats>/.test(reply.body)) {
    return { kind: 'malformed', detail: 'no <icestats> document' };
  }
  for (const m of reply.body.matchAll(/<source\s+mount\s*=\s*(["'])(.*?)\1\s*>([\s\S]*?)<\/source>/g)) {
    if (decodeXml(m[2] ?? '') !== mount) continue;
    const fields = childElements(m[3] ?? '');
    return {
      kind: 'ok',
      current: toCount(fields.get('listeners')) ?? 0,
      peak: toCount(fields.get('listener_peak')) ?? 0,
      unique: null,
      bitrate: bitrateOf((k) => fields.get(k)),
      title: fields.get('title') ?? null,
    };
  }
  return { kind: 'not_found' };
}
