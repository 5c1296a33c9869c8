// How many new titles a source may bring: a token bucket per source (http, tcp, udp, file), so a
// flood from one door costs the others nothing and each title past the limit is dropped and counted
// (`rate_limited`). A bucket holds `burst` titles and refills at `perMinute`; pure, `now` is passed in.
import type { MetadataSource } from './types.js';

export interface RateLimit {
  perMinute: number;
  burst: number;
}

export interface Bucket {
  tokens: number;
  atMs: number;
}

/** The bucket after `nowMs`, and whether one title may pass. */
export function takeToken(bucket: Bucket | undefined, nowMs: number, limit: RateLimit): { ok: boolean; bucket: Bucket } {
  const start = bucket ?? { tokens: limit.burst, atMs: nowMs };
  // A clock that steps back refills nothing (and takes nothing away).
  const elapsedMs = Math.max(0, nowMs - start.atMs);
  const tokens = Math.min(limit.burst, start.tokens + (elapsedMs * limit.perMinute) / 60_000);
  if (tokens >= 1) return { ok: true, bucket: { tokens: tokens - 1, atMs: nowMs } };
  return { ok: false, bucket: { tokens, atMs: nowMs } };
}

export class TitleRateLimiter {
  private readonly buckets = new Map<MetadataSource, Bucket>();

  constructor(private limit: RateLimit) {}

  setLimit(limit: RateLimit): void {
    this.limit = limit;
  }

  /** Takes one title's worth from `source`'s bucket; false: over the limit. */
  take(source: MetadataSource, nowMs: number): boolean {
    const { ok, bucket } = takeToken(this.buckets.get(source), nowMs, this.limit);
    this.buckets.set(source, bucket);
    return ok;
  }
}
