// Polls every server that has a streaming encoder, one probe per server, all servers at once.
// Each server has its own deadline and its results are handed out the moment they are in, so a
// server that never answers delays nobody but itself; and a server still being asked when the next
// poll comes round is skipped that round rather than asked twice.
import { log } from '../log.js';
import { httpGetReply, type HttpGetter } from './http-get.js';
import { groupByServer, probeServer, type EndpointName, type ServerGroup, type StatsTarget } from './server-probe.js';
import type { PollResult } from './types.js';

const debug = log('stats:collector');

export const DEFAULT_STATS_TIMEOUT_MS = 5000;

export interface CollectorDeps {
  /** The encoders to measure now (those on air). Read at every poll. */
  targets: () => StatsTarget[];
  /** Seconds between polls; read after every poll, so a changed setting applies at the next one. */
  pollSecs: () => number;
  onResult: (target: StatsTarget, result: PollResult, atMs: number) => void;
  timeoutMs?: number;
  get?: HttpGetter;
  now?: () => number;
}

export class ListenerCollector {
  private timer: NodeJS.Timeout | null = null;
  private running = false;
  private readonly inFlight = new Map<string, Promise<void>>();
  private readonly preferred = new Map<string, EndpointName>();
  private abort = new AbortController();
  private readonly now: () => number;
  private readonly get: HttpGetter;
  private readonly timeoutMs: number;

  constructor(private readonly deps: CollectorDeps) {
    this.now = deps.now ?? Date.now;
    this.get = deps.get ?? httpGetReply;
    this.timeoutMs = deps.timeoutMs ?? DEFAULT_STATS_TIMEOUT_MS;
  }

  /** Polls at once, then every pollSecs. */
  start(): void {
    if (this.running) return;
    this.running = true;
    this.abort = new AbortController();
    this.tick();
  }

  /** Stops polling; requests under way are cut off and their results dropped. */
  async stop(): Promise<void> {
    this.running = false;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    this.abort.abort();
    await Promise.all(this.inFlight.values());
  }

  /**
   * One poll of every server not already being asked. Resolves when all of them are done; results
   * are delivered per server as they arrive, not at the end.
   */
  pollNow(): Promise<void> {
    const groups = groupByServer(this.deps.targets());
    const live = new Set(groups.map((g) => g.key));
    for (const key of this.preferred.keys()) if (!live.has(key)) this.preferred.delete(key);
    const started: Promise<void>[] = [];
    for (const group of groups) {
      const pending = this.inFlight.get(group.key);
      if (pending) {
        debug('%s still being asked; skipped this round', group.baseUrl);
        continue;
      }
      const probe = this.probe(group).finally(() => this.inFlight.delete(group.key));
      this.inFlight.set(group.key, probe);
      started.push(probe);
    }
    return Promise.all(started).then(() => undefined);
  }

  /** A changed interval applies now, not after the old interval has run out. */
  reschedule(): void {
    if (!this.running) return;
    if (this.timer) clearTimeout(this.timer);
    this.timer = setTimeout(() => this.tick(), Math.max(1, this.deps.pollSecs()) * 1000);
  }

  private tick(): void {
    if (!this.running) return;
    void this.pollNow();
    const ms = Math.max(1, this.deps.pollSecs()) * 1000;
    this.timer = setTimeout(() => this.tick(), ms);
  }

  private async probe(group: ServerGroup): Promise<void> {
    const signal = this.abort.signal;
    try {
      const outcome = await probeServer(group, this.get, {
        deadlineMs: this.now() + this.timeoutMs,
        now: this.now,
        preferred: this.preferred.get(group.key) ?? null,
        signal,
      });
      if (signal.aborted) return;
      if (outcome.answeredBy) this.preferred.set(group.key, outcome.answeredBy);
      const at = this.now();
      for (const target of group.targets) {
        const result = outcome.results.get(target.encoderId) ?? { kind: 'not_found' as const };
        debug('encoder %d via %s: %o', target.encoderId, outcome.via.get(target.encoderId) ?? '-', result);
        try {
          this.deps.onResult(target, result, at);
        } catch (err) {
          // One consumer's failure (a closed database at shutdown) must not stop the others' results.
          debug('onResult failed for encoder %d: %s', target.encoderId, (err as Error).message);
        }
      }
    } catch (err) {
      debug('probe of %s failed: %s', group.baseUrl, (err as Error).message);
    }
  }
}
