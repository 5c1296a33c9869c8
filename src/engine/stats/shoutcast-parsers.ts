// SHOUTcast stats parsers (PROTOCOLS.md §5.4–5.5): DNAS 2 `/statistics?json=1` (all streams) and
// `/stats?sid=N&json=1` (one stream), DNAS 1 (and DNAS 2) `/7.html`. Pure functions of the reply.
import { decodeXml } from './icecast-parsers.js';
import { statusFailure, toCount, type HttpReply, type StatsResult } from './types.js';

type Json = Record<string, unknown>;

function isObject(v: unknown): v is Json {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function parseJsonObject(reply: HttpReply): { doc: Json } | { error: string } {
  let doc: unknown;
  try {
    doc = JSON.parse(reply.body);
  } catch (err) {
    return { error: `invalid JSON: ${(err as Error).message}` };
  }
  return isObject(doc) ? { doc } : { error: 'not a JSON object' };
}

/** One DNAS 2 stream object: counts are numbers, bitrate is a string ("128"). */
function countsOf(stream: Json): StatsResult {
  const current = toCount(stream.currentlisteners);
  if (current === null) return { kind: 'malformed', detail: 'no "currentlisteners"' };
  return {
    kind: 'ok',
    current,
    peak: toCount(stream.peaklisteners) ?? current,
    unique: toCount(stream.uniquelisteners),
    bitrate: toCount(stream.bitrate),
    title: typeof stream.songtitle === 'string' ? stream.songtitle : null,
  };
}

/** DNAS 2 `/statistics?json=1`: `streams` (omitted when there are none), matched by `id` = sid. */
export function parseDnas2Statistics(reply: HttpReply, sid: number): StatsResult {
  const failed = statusFailure(reply);
  if (failed) return failed;
  const parsed = parseJsonObject(reply);
  if ('error' in parsed) return { kind: 'malformed', detail: parsed.error };
  const { doc } = parsed;
  if (!('totalstreams' in doc) && !('streams' in doc)) return { kind: 'malformed', detail: 'not a DNAS 2 statistics reply' };
  const streams = Array.isArray(doc.streams) ? doc.streams : [];
  const stream = streams.find((s): s is Json => isObject(s) && toCount(s.id) === sid);
  return stream ? countsOf(stream) : { kind: 'not_found' };
}

/** DNAS 2 `/stats?sid=N&json=1`: one stream's object at the top level. */
export function parseDnas2Stats(reply: HttpReply): StatsResult {
  const failed = statusFailure(reply);
  if (failed) return failed;
  const parsed = parseJsonObject(reply);
  if ('error' in parsed) return { kind: 'malformed', detail: parsed.error };
  return countsOf(parsed.doc);
}

/**
 * `/7.html`: `<body>CURRENT,STATUS,PEAK,MAX,UNIQUE,BITRATE,SONGTITLE</body>`. The title may contain
 * commas, so only the first six commas separate fields (JS split's limit drops the rest instead).
 * DNAS 2 prints UNLIMITED for MAX and XML-escapes the title.
 */
export function parseSevenHtml(reply: HttpReply): StatsResult {
  const failed = statusFailure(reply);
  if (failed) return failed;
  const body = /<body[^>]*>([\s\S]*?)(?:<\/body>|$)/i.exec(reply.body)?.[1] ?? reply.body;
  const line = body.replace(/<[^>]*>/g, '').trim();
  const fields: string[] = [];
  let rest = line;
  for (let i = 0; i < 6; i++) {
    const comma = rest.indexOf(',');
    if (comma < 0) return { kind: 'malformed', detail: 'not a 7.html line' };
    fields.push(rest.slice(0, comma).trim());
    rest = rest.slice(comma + 1);
  }
  const [current, status, peak, , unique, bitrate] = fields.map((f) => toCount(f));
  if (current === null || current === undefined || status === null || peak === null || peak === undefined) {
    return { kind: 'malformed', detail: 'not a 7.html line' };
  }
  return { kind: 'ok', current, peak, unique: unique ?? null, bitrate: bitrate ?? null, title: decodeXml(rest) };
}
