// The metadata_history table (migration 1): one row per now-playing change, the seed's historylist.
// Cue sheets for recordings are cut from it by time range, so played_at is when the title arrived.
import type BetterSqlite3 from 'better-sqlite3';
import { songOf } from './sanitize.js';
import type { HistoryEntry, MetadataSource, Track } from './types.js';

type Db = BetterSqlite3.Database;

interface HistoryRow {
  id: number;
  played_at: string;
  artist: string | null;
  title: string | null;
  source: string | null;
}

export const DEFAULT_HISTORY_LIMIT = 20;
export const MAX_HISTORY_LIMIT = 500;

function toEntry(r: HistoryRow): HistoryEntry {
  const track = { artist: r.artist ?? '', title: r.title ?? '' };
  return { id: r.id, played_at: r.played_at, ...track, song: songOf(track), source: (r.source ?? 'http') as MetadataSource };
}

export class HistoryStore {
  private readonly stmts;

  constructor(db: Db) {
    this.stmts = {
      insert: db.prepare<[string, string, string, string], HistoryRow>(
        'INSERT INTO metadata_history (played_at, artist, title, source) VALUES (?, ?, ?, ?) RETURNING *',
      ),
      recent: db.prepare<[number], HistoryRow>('SELECT * FROM metadata_history ORDER BY id DESC LIMIT ?'),
    };
  }

  add(track: Track, source: MetadataSource, at: Date): HistoryEntry {
    const row = this.stmts.insert.get(at.toISOString(), track.artist, track.title, source);
    if (!row) throw new Error('INSERT ... RETURNING returned no row');
    return toEntry(row);
  }

  /** Newest first. */
  recent(limit = DEFAULT_HISTORY_LIMIT): HistoryEntry[] {
    const n = Number.isFinite(limit) ? Math.min(MAX_HISTORY_LIMIT, Math.max(1, Math.floor(limit))) : DEFAULT_HISTORY_LIMIT;
    return this.stmts.recent.all(n).map(toEntry);
  }

  latest(): HistoryEntry | null {
    return this.recent(1)[0] ?? null;
  }
}
