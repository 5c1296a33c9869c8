// Which stats endpoints a server is asked, in which order, and what each answer means for each
// encoder on that server. One server = one group: its encoders share each request.
//
// Icecast:   status-json.xsl (public) → /admin/stats (only with admin credentials; lists hidden
//            mounts too, and works when the operator deleted the XSLT).
// SHOUTcast: DNAS 2 /statistics?json=1 → DNAS 2 /stats?sid=N&json=1 → /7.html (DNAS 1) → and, for an
//            encoder that also names a mount, the Icecast endpoints (Icecast's SHOUTcast-compatible
//            source port, where the mount is the server's <shoutcast-mount>).
// The endpoint that last answered is asked first next time, so a steady server costs one request.
import type { EncoderConfig } from '../types.js';
import { parseIcecastAdminStats, parseIcecastStatusJson } from './icecast-parsers.js';
import { parseDnas2Statistics, parseDnas2Stats, parseSevenHtml } from './shoutcast-parsers.js';
import type { HttpGetter } from './http-get.js';
import type { HttpReply, PollResult, StatsResult } from './types.js';

export interface Credentials {
  user: string;
  password: string;
}

/** One encoder to measure. */
export interface StatsTarget {
  encoderId: number;
  kind: 'icecast' | 'shoutcast';
  host: string;
  port: number;
  mount: string | null;
  /** DNAS 2 stream id; 1 when unset. */
  sid: number;
  admin: Credentials | null;
}

export interface ServerGroup {
  key: string;
  kind: StatsTarget['kind'];
  baseUrl: string;
  admin: Credentials | null;
  targets: StatsTarget[];
}

export type EndpointName = 'status-json' | 'admin-stats' | 'dnas2-statistics' | 'dnas2-stats' | 'seven-html';

interface Endpoint {
  name: EndpointName;
  /** Whether this endpoint can say anything about the target (Icecast endpoints need a mount). */
  applies(t: StatsTarget, g: ServerGroup): boolean;
  /** One path for the whole server, or (per-target endpoints) one per target. */
  path(t: StatsTarget | null): string;
  perTarget: boolean;
  auth: boolean;
  parse(reply: HttpReply, t: StatsTarget): StatsResult;
}

const hasMount = (t: StatsTarget): boolean => t.mount !== null && t.mount.startsWith('/');
const isShoutcast = (t: StatsTarget): boolean => t.kind === 'shoutcast';

export const ENDPOINTS: Record<EndpointName, Endpoint> = {
  'status-json': { name: 'status-json', applies: hasMount, path: () => '/status-json.xsl', perTarget: false, auth: false, parse: (r, t) => parseIcecastStatusJson(r, t.mount ?? '') },
  'admin-stats': { name: 'admin-stats', applies: (t, g) => hasMount(t) && g.admin !== null, path: () => '/admin/stats', perTarget: false, auth: true, parse: (r, t) => parseIcecastAdminStats(r, t.mount ?? '') },
  'dnas2-statistics': { name: 'dnas2-statistics', applies: isShoutcast, path: () => '/statistics?json=1', perTarget: false, auth: false, parse: (r, t) => parseDnas2Statistics(r, t.sid) },
  'dnas2-stats': { name: 'dnas2-stats', applies: isShoutcast, path: (t) => `/stats?sid=${t?.sid ?? 1}&json=1`, perTarget: true, auth: false, parse: (r) => parseDnas2Stats(r) },
  'seven-html': { name: 'seven-html', applies: (t) => isShoutcast(t) && t.sid === 1, path: () => '/7.html', perTarget: false, auth: false, parse: (r) => parseSevenHtml(r) },
};

/** A server with any Icecast encoder is an Icecast server (its SHOUTcast-compatible port included). */
export const ENDPOINT_ORDER: Record<StatsTarget['kind'], EndpointName[]> = {
  icecast: ['status-json', 'admin-stats', 'dnas2-statistics', 'dnas2-stats', 'seven-html'],
  shoutcast: ['dnas2-statistics', 'dnas2-stats', 'seven-html', 'status-json', 'admin-stats'],
};

/** The stats target of a streaming encoder, or null for one without a server (file output). */
export function targetFor(config: EncoderConfig, adminPassword: string | null): StatsTarget | null {
  if (config.output_type === 'file' || !config.server_host || !config.server_port) return null;
  const user = config.stats_admin_user;
  return {
    encoderId: config.id,
    kind: config.output_type,
    host: config.server_host,
    port: config.server_port,
    mount: config.mount_point,
    sid: config.shoutcast_sid ?? 1,
    admin: user && adminPassword ? { user, password: adminPassword } : null,
  };
}

/**
 * Encoders on the same server (host, port) share one group, whatever their protocol: an Icecast
 * server takes SHOUTcast v1 sources too. The first admin credentials win.
 */
export function groupByServer(targets: readonly StatsTarget[]): ServerGroup[] {
  const groups = new Map<string, ServerGroup>();
  for (const t of targets) {
    const key = `${t.host.toLowerCase()}|${t.port}`;
    let g = groups.get(key);
    if (!g) {
      const host = t.host.includes(':') ? `[${t.host}]` : t.host;
      g = { key, kind: t.kind, baseUrl: `http://${host}:${t.port}`, admin: null, targets: [] };
      groups.set(key, g);
    }
    g.admin ??= t.admin;
    if (t.kind === 'icecast') g.kind = 'icecast';
    g.targets.push(t);
  }
  return [...groups.values()];
}

// When every endpoint fails, the most actionable reason is reported.
const FAILURE_RANK: Record<Exclude<PollResult['kind'], 'ok'>, number> = { unauthorized: 4, not_found: 3, malformed: 2, unavailable: 1, unreachable: 0 };

export interface ProbeOutcome {
  results: Map<number, PollResult>;
  /**
   * The last endpoint that measured a target: ask it first next time. The last, because a later one
   * (/admin/stats, listing hidden mounts too) may cover everything an earlier one did.
   */
  answeredBy: EndpointName | null;
  /** Which endpoint measured each target, for the debug log. */
  via: Map<number, EndpointName>;
}

/** Asks one server, endpoint after endpoint, until every target is measured or nothing is left to ask. */
export async function probeServer(
  group: ServerGroup,
  get: HttpGetter,
  opts: { deadlineMs: number; now: () => number; preferred?: EndpointName | null; signal?: AbortSignal },
): Promise<ProbeOutcome> {
  const results = new Map<number, PollResult>();
  const via = new Map<number, EndpointName>();
  let pending = [...group.targets];
  let answeredBy: EndpointName | null = null;
  const order = ENDPOINT_ORDER[group.kind];
  const pref = opts.preferred && order.includes(opts.preferred) ? opts.preferred : null;
  const sequence = pref ? [pref, ...order.filter((n) => n !== pref)] : order;
  const fail = (t: StatsTarget, r: PollResult): void => {
    const prev = results.get(t.encoderId);
    if (!prev || (prev.kind !== 'ok' && r.kind !== 'ok' && FAILURE_RANK[r.kind] > FAILURE_RANK[prev.kind])) results.set(t.encoderId, r);
  };

  for (const name of sequence) {
    const endpoint = ENDPOINTS[name];
    const asked = pending.filter((t) => endpoint.applies(t, group));
    if (asked.length === 0) continue;
    const requests = endpoint.perTarget ? asked.map((t) => ({ path: endpoint.path(t), targets: [t] })) : [{ path: endpoint.path(null), targets: asked }];
    let unreachable: string | null = null;
    for (const req of requests) {
      const left = opts.deadlineMs - opts.now();
      const fetched = left <= 0 ? { ok: false as const, error: 'no answer in time' } : await get({ url: group.baseUrl + req.path, auth: endpoint.auth ? group.admin : null, timeoutMs: left, signal: opts.signal });
      if (!fetched.ok) {
        unreachable = fetched.error;
        break;
      }
      for (const t of req.targets) {
        const r = endpoint.parse(fetched.reply, t);
        if (r.kind === 'ok') {
          results.set(t.encoderId, r);
          via.set(t.encoderId, name);
          answeredBy = name;
        } else fail(t, r);
      }
    }
    pending = pending.filter((t) => results.get(t.encoderId)?.kind !== 'ok');
    // A server that does not answer at all will not answer the next endpoint either.
    if (unreachable !== null) {
      for (const t of pending) fail(t, { kind: 'unreachable', detail: unreachable });
      break;
    }
    if (pending.length === 0) break;
  }
  for (const t of pending) if (!results.has(t.encoderId)) results.set(t.encoderId, { kind: 'not_found' });
  return { results, answeredBy, via };
}
