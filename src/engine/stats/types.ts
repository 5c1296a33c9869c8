// Listener statistics: the types shared by the parsers, the collector and the API.
// Parsers are pure (an HTTP reply in, one of these results out); fetching lives in http-get.ts.

/** One HTTP reply as the parsers see it: what the server said, nothing about how it was fetched. */
export interface HttpReply {
  status: number;
  body: string;
}

export interface ListenerCounts {
  current: number;
  peak: number;
  unique: number | null;
  /** kbps, when the server reports it. */
  bitrate: number | null;
  /** The title the server reports, when it has one (numbers become text again). */
  title?: string | null;
}

/**
 * What a parser makes of a reply for one mount or stream id:
 * - ok: the numbers;
 * - not_found: the server answered properly but does not list this mount/stream (no source on it, or hidden);
 * - unauthorized: 401/403 (credentials missing or wrong);
 * - malformed: 200 but a body this parser cannot read (invalid JSON, HTML error page, wrong server type);
 * - unavailable: any other HTTP status (404 when the endpoint does not exist on this server, 5xx).
 */
export type StatsResult =
  | ({ kind: 'ok' } & ListenerCounts)
  | { kind: 'not_found' }
  | { kind: 'unauthorized' }
  | { kind: 'malformed'; detail: string }
  | { kind: 'unavailable'; detail: string };

/** What one poll found for one encoder: a parser's result, or no usable answer from the server at all. */
export type PollResult = StatsResult | { kind: 'unreachable'; detail: string };

export type StatsFailure = Exclude<PollResult, { kind: 'ok' }>;

/** The result for a reply whose status is not 200, or null when the body should be parsed. */
export function statusFailure(reply: HttpReply): Exclude<StatsResult, { kind: 'ok' }> | null {
  if (reply.status === 200) return null;
  if (reply.status === 401 || reply.status === 403) return { kind: 'unauthorized' };
  return { kind: 'unavailable', detail: `HTTP ${reply.status}` };
}

/** A non-negative whole number from a value whose type the server guessed (number, numeric text). */
export function toCount(v: unknown): number | null {
  if (typeof v === 'number' && Number.isFinite(v) && v >= 0) return Math.floor(v);
  if (typeof v === 'string' && /^\s*\d+\s*$/.test(v)) return Number(v.trim());
  return null;
}

/** A failure in words an operator understands (event log, status, API). */
export function describeFailure(r: StatsFailure): string {
  switch (r.kind) {
    case 'not_found':
      return 'the server does not list this mount';
    case 'unauthorized':
      return 'the server refused the stats credentials';
    case 'malformed':
      return `unreadable stats reply (${r.detail})`;
    case 'unavailable':
      return `stats not available (${r.detail})`;
    case 'unreachable':
      return `stats server unreachable (${r.detail})`;
  }
}
