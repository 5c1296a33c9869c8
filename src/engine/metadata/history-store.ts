// The metadata_history table (migration 1): one row per now-playing change, the seed's historylist.
// Cue sheets for recordings are cut from it by time range, so played_at is when the title arrived.
//
// Rows are queued and written together, in one transaction, at most every HISTORY_FLUSH_MS (and on
// close): with synchronous=FULL each commit is an fsync, and a flood of titles must not cost the event
// loop one fsync per title. Readers here (the API's history) flush first and see every row; the
// recorder reads the table directly and sees a row at most HISTORY_FLUSH_MS late, which moves nothing,
// since it places each row by its played_at.
import type BetterSqlite3 from 'better-sqlite3';
import { songOf } from './sanitize.js';
import type { HistoryEntry, MetadataSource, NowPlaying, Track } from './types.js';
import { log } from '../log.js';

const debug = log('metadata:history');

type Db = BetterSqlite3.Database;

interface HistoryRow {
  id: number;
  played_at: string;
  artist: string | null;
  title: string | null;
  source: string | null;
}

type PendingRow = [played_at: string, artist: string, title: string, source: MetadataSource];

export const DEFAULT_HISTORY_LIMIT = 20;
export const MAX_HISTORY_LIMIT = 500;
export const HISTORY_FLUSH_MS = 250;
/** After a failed write (disk full, I/O error) the rows wait this long before the next try. */
export const HISTORY_RETRY_MS = 5000;
/** Rows kept while writes fail; past this the oldest are given up (and counted). */
export const MAX_PENDING_ROWS = 5000;

export interface HistoryWriteStats {
  /** Transactions written. */
  batches: number;
  rows_written: number;
  /** Rows waiting for the next write. */
  pending: number;
  /** Rows given up after writes kept failing. */
  rows_lost: number;
  last_error: string | null;
}

function toEntry(r: HistoryRow): HistoryEntry {
  const track = { artist: r.artist ?? '', title: r.title ?? '' };
  return { id: r.id, played_at: r.played_at, ...track, song: songOf(track), source: (r.source ?? 'http') as MetadataSource };
}

export class HistoryStore {
  private readonly stmts;
  private readonly writeBatch: (rows: PendingRow[]) => void;
  private pending: PendingRow[] = [];
  private timer: NodeJS.Timeout | null = null;
  private closed = false;
  private readonly counts = { batches: 0, rows_written: 0, rows_lost: 0, last_error: null as string | null };

  constructor(
    private readonly db: Db,
    private readonly flushMs = HISTORY_FLUSH_MS,
  ) {
    this.stmts = {
      insert: db.prepare<PendingRow>('INSERT INTO metadata_history (played_at, artist, title, source) VALUES (?, ?, ?, ?)'),
      recent: db.prepare<[number], HistoryRow>('SELECT * FROM metadata_history ORDER BY id DESC LIMIT ?'),
    };
    this.writeBatch = db.transaction((rows: PendingRow[]) => {
      for (const row of rows) this.stmts.insert.run(...row);
    });
  }

  /** Queues a row; it is written within flushMs (at once after close()). */
  add(track: Track, source: MetadataSource, at: Date): NowPlaying {
    const played_at = at.toISOString();
    this.pending.push([played_at, track.artist, track.title, source]);
    if (this.pending.length > MAX_PENDING_ROWS) {
      this.pending.shift();
      this.counts.rows_lost++;
    }
    if (this.closed) this.flush();
    else this.schedule(this.flushMs);
    return { artist: track.artist, title: track.title, song: songOf(track), source, played_at };
  }

  /** Writes every queued row in one transaction. A failure keeps them for a later try; it never throws. */
  flush(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    if (this.pending.length === 0 || !this.db.open) return;
    const rows = this.pending;
    try {
      this.writeBatch(rows);
      this.pending = [];
      this.counts.batches++;
      this.counts.rows_written += rows.length;
    } catch (err) {
      this.counts.last_error = (err as Error).message;
      debug('writing %d history rows failed: %s', rows.length, this.counts.last_error);
      if (!this.closed) this.schedule(HISTORY_RETRY_MS);
    }
  }

  /** Writes what is queued; from now on every row is written as it comes (the engine is stopping). */
  close(): void {
    this.closed = true;
    this.flush();
  }

  stats(): HistoryWriteStats {
    return { ...this.counts, pending: this.pending.length };
  }

  /** Newest first, queued rows included. */
  recent(limit = DEFAULT_HISTORY_LIMIT): HistoryEntry[] {
    this.flush();
    const n = Number.isFinite(limit) ? Math.min(MAX_HISTORY_LIMIT, Math.max(1, Math.floor(limit))) : DEFAULT_HISTORY_LIMIT;
    return this.stmts.recent.all(n).map(toEntry);
  }

  latest(): HistoryEntry | null {
    return this.recent(1)[0] ?? null;
  }

  private schedule(delayMs: number): void {
    if (this.timer) return;
    this.timer = setTimeout(() => this.flush(), delayMs);
    // close() writes what is left; a pending write must not keep a finished process alive.
    this.timer.unref();
  }
}
