// Now playing: every title intake (HTTP, TCP, UDP, the now-playing file) ends here. A title is
// cleaned, compared with the current one (a repeat changes nothing), held to its source's rate limit,
// queued for metadata_history (written in batches) and handed on (the engine emits `metadata_changed`
// and pushes it to the encoders). Whatever is refused is counted by source and reason, so an operator
// can see a misconfigured playout system, and a flood costs little more than counting.
import type BetterSqlite3 from 'better-sqlite3';
import type { SettingsStore } from '../db/settings-store.js';
import { FILE_POLL_MS, NowPlayingFile, type FileWatchStatus } from './file-watcher.js';
import { HistoryStore, type HistoryWriteStats } from './history-store.js';
import { HistoryPruner } from './history-retention.js';
import { INTAKE_SETTINGS_KEY, parseIntakeSettings, storedIntakeSettingsWithErrors, type FieldError, type IntakeSettings } from './intake-settings.js';
import { listenTcp, listenUdp, type LineHandlers, type LineListener, type ListenerStatus, type TcpListenerStatus } from './line-listeners.js';
import { compilePattern, parseLine, type LinePattern } from './line-parser.js';
import { TitleRateLimiter, type RateLimit } from './rate-limit.js';
import { decodeText, trackFrom } from './sanitize.js';
import { METADATA_SOURCES, type DropReason, type MetadataSource, type NowPlaying, type Track } from './types.js';
import { log } from '../log.js';

const debug = log('metadata');

export type SubmitResult =
  | { ok: true; changed: boolean; now_playing: NowPlaying }
  | { ok: false; reason: DropReason; message: string };

type PerSource = Record<MetadataSource, number>;

export interface IntakeCounters {
  accepted: PerSource;
  repeated: PerSource;
  dropped: PerSource;
  drop_reasons: Record<DropReason, number>;
  last_drop: { at: string; source: MetadataSource; reason: DropReason; message: string } | null;
}

export interface IntakeStatus {
  tcp: TcpListenerStatus | null;
  udp: ListenerStatus | null;
  file: FileWatchStatus | null;
  /** metadata_history writes (batched) and pruning. */
  history: HistoryWriteStats & { pruned_rows: number; prune_error: string | null };
  /** Stored settings that no longer validated (saved before a rule existed) and what stands in for them. */
  stored_errors: FieldError[];
}

export interface MetadataServiceDeps {
  db: BetterSqlite3.Database;
  settings: SettingsStore;
  onChange(np: NowPlaying): void;
  now?: () => number;
  filePollMs?: number;
  /** How long history rows wait to be written together (tests). */
  historyFlushMs?: number;
}

const perSource = (): PerSource => Object.fromEntries(METADATA_SOURCES.map((s) => [s, 0])) as PerSource;

const rateLimitOf = (s: IntakeSettings): RateLimit => ({ perMinute: s.max_titles_per_minute, burst: s.title_burst });

export class MetadataService {
  readonly history: HistoryStore;
  private currentTrack: NowPlaying | null;
  private intake: IntakeSettings;
  private pattern: LinePattern | null = null;
  /** A stored line_pattern that RE2 refuses: lines are dropped (not misread as "Artist - Title") until it is fixed. */
  private refusedPattern: string | null = null;
  private storedErrors: FieldError[];
  private readonly limiter: TitleRateLimiter;
  private readonly pruner: HistoryPruner;
  private tcp: LineListener<TcpListenerStatus> | null = null;
  private udp: LineListener | null = null;
  private file: NowPlayingFile | null = null;
  private readonly now: () => number;
  private readonly counters: IntakeCounters = {
    accepted: perSource(),
    repeated: perSource(),
    dropped: perSource(),
    drop_reasons: { empty: 0, too_long: 0, binary: 0, no_match: 0, bad_key: 0, rate_limited: 0 },
    last_drop: null,
  };

  constructor(private readonly deps: MetadataServiceDeps) {
    this.history = new HistoryStore(deps.db, deps.historyFlushMs);
    this.now = deps.now ?? Date.now;
    const latest = this.history.latest();
    this.currentTrack = latest ? { artist: latest.artist, title: latest.title, song: latest.song, source: latest.source, played_at: latest.played_at } : null;
    const raw = deps.settings.get<unknown>(INTAKE_SETTINGS_KEY, {});
    const stored = storedIntakeSettingsWithErrors(raw);
    this.intake = stored.value;
    this.storedErrors = stored.errors;
    const patternError = stored.errors.find((e) => e.field === 'line_pattern');
    if (patternError) this.refusedPattern = `line_pattern ${patternError.message}`;
    this.limiter = new TitleRateLimiter(rateLimitOf(this.intake));
    this.pruner = new HistoryPruner(deps.db, {
      retention: () => ({ days: this.intake.history_retention_days, maxRows: this.intake.history_max_rows }),
      now: this.now,
    });
  }

  /** Opens the listeners and the file watch the settings ask for. */
  async start(): Promise<void> {
    this.pruner.start();
    await this.apply(this.intake, null);
  }

  /** Closes the intake and writes the queued history rows (later titles are written as they come). */
  async stop(): Promise<void> {
    this.pruner.stop();
    await Promise.all([this.tcp?.close(), this.udp?.close()]);
    this.file?.stop();
    this.tcp = this.udp = null;
    this.file = null;
    this.history.close();
  }

  current(): NowPlaying | null {
    return this.currentTrack;
  }

  /** A title from the HTTP API: {artist, title} or {song}. */
  submit(input: { artist?: unknown; title?: unknown; song?: unknown }, source: MetadataSource = 'http'): SubmitResult {
    const track = trackFrom(input);
    if (!track.ok) return this.drop(source, track.reason, track.message);
    return this.accept(track.value, source);
  }

  /** One line from TCP, UDP or the file, as bytes. */
  submitLine(bytes: Buffer, source: MetadataSource): SubmitResult {
    const text = decodeText(bytes);
    if (!text.ok) return this.drop(source, text.reason, text.message);
    if (this.refusedPattern !== null) return this.drop(source, 'no_match', this.refusedPattern);
    const track = parseLine(text.value, this.pattern);
    if (!track.ok) return this.drop(source, track.reason, track.message);
    return this.accept(track.value, source);
  }

  /** Counts a refusal the caller decided on (a wrong metadata key). */
  drop(source: MetadataSource, reason: DropReason, message: string): SubmitResult {
    this.counters.dropped[source]++;
    this.counters.drop_reasons[reason]++;
    this.counters.last_drop = { at: new Date(this.now()).toISOString(), source, reason, message };
    debug('dropped from %s (%s): %s', source, reason, message);
    return { ok: false, reason, message };
  }

  settings(): IntakeSettings {
    return this.intake;
  }

  /** The settings with the listeners' state and the counters, as GET /api/metadata/settings sends them. */
  view(): IntakeSettings & { status: IntakeStatus; counters: IntakeCounters } {
    return {
      ...this.intake,
      status: {
        tcp: this.tcp ? { ...this.tcp.status } : null,
        udp: this.udp ? { ...this.udp.status } : null,
        file: this.file?.status ?? null,
        history: { ...this.history.stats(), pruned_rows: this.pruner.status().deleted_rows, prune_error: this.pruner.status().last_error },
        stored_errors: this.storedErrors,
      },
      counters: structuredClone(this.counters),
    };
  }

  /** Validates, stores and applies new settings; only the listeners whose settings changed restart. */
  async updateSettings(input: unknown): Promise<{ ok: true } | { ok: false; errors: FieldError[] }> {
    const parsed = parseIntakeSettings(input, this.intake);
    if (!parsed.ok) return parsed;
    const previous = this.intake;
    this.intake = parsed.value;
    this.deps.settings.set(INTAKE_SETTINGS_KEY, parsed.value);
    // Saved settings are valid settings; a refused stored pattern is replaced only when the operator sends one.
    this.storedErrors = [];
    if (typeof input === 'object' && input !== null && 'line_pattern' in input) this.refusedPattern = null;
    await this.apply(parsed.value, previous);
    return { ok: true };
  }

  private accept(track: Track, source: MetadataSource): SubmitResult {
    const current = this.currentTrack;
    if (current && current.artist === track.artist && current.title === track.title) {
      this.counters.repeated[source]++;
      return { ok: true, changed: false, now_playing: current };
    }
    if (!this.limiter.take(source, this.now())) {
      const limit = rateLimitOf(this.intake);
      // Starts with the field, as every intake message does: the HTTP reply names `title`.
      return this.drop(source, 'rate_limited', `title refused: more than ${limit.perMinute} new titles a minute (burst ${limit.burst}) from ${source} (max_titles_per_minute)`);
    }
    const np = this.history.add(track, source, new Date(this.now()));
    this.currentTrack = np;
    this.counters.accepted[source]++;
    debug('now playing (%s): %s', source, np.song);
    this.deps.onChange(np);
    return { ok: true, changed: true, now_playing: np };
  }

  private handlers(source: MetadataSource): LineHandlers {
    return {
      onLine: (bytes) => void this.submitLine(bytes, source),
      onDrop: (reason, detail) => void this.drop(source, reason, detail),
    };
  }

  private async apply(next: IntakeSettings, previous: IntakeSettings | null): Promise<void> {
    const compiled = next.line_pattern === null ? null : compilePattern(next.line_pattern);
    this.pattern = compiled?.ok ? compiled.regex : null;
    this.limiter.setLimit(rateLimitOf(next));
    if (previous && (previous.history_retention_days !== next.history_retention_days || previous.history_max_rows !== next.history_max_rows)) void this.pruner.run();
    const bindChanged = previous === null || previous.bind_address !== next.bind_address;
    if (bindChanged || previous.tcp_port !== next.tcp_port || previous.tcp_idle_secs !== next.tcp_idle_secs) {
      await this.tcp?.close();
      this.tcp = next.tcp_port === null ? null : await listenTcp(next.tcp_port, next.bind_address, this.handlers('tcp'), { idleMs: next.tcp_idle_secs * 1000 });
    }
    if (bindChanged || previous.udp_port !== next.udp_port) {
      await this.udp?.close();
      this.udp = next.udp_port === null ? null : await listenUdp(next.udp_port, next.bind_address, this.handlers('udp'));
    }
    if (previous === null || previous.file_path !== next.file_path) {
      this.file?.stop();
      this.file = next.file_path === null ? null : new NowPlayingFile(next.file_path, this.handlers('file'), this.deps.filePollMs ?? FILE_POLL_MS);
      this.file?.start();
    }
  }
}
