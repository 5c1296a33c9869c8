// Reads the metadata history (table metadata_history, filled by the metadata intake) for cue sheets.
// Read-only: the recorder never writes the history.
import type BetterSqlite3 from 'better-sqlite3';

export interface HistoryRow {
  id: number;
  playedAtMs: number;
  artist: string | null;
  title: string | null;
}

export interface MetadataHistory {
  /** Highest id now (0 when empty). */
  lastId(): number;
  /** Rows with a higher id, oldest first. */
  since(id: number): HistoryRow[];
  /** The row that was playing at `ms` (the latest played_at not after it), if any. */
  playingAt(ms: number): HistoryRow | null;
}

interface Row {
  id: number;
  played_at: string;
  artist: string | null;
  title: string | null;
}

/** played_at as SQLite writes it: ISO with Z, or CURRENT_TIMESTAMP's 'YYYY-MM-DD HH:MM:SS' (UTC). */
export function parsePlayedAt(text: string): number {
  const sqlite = /^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d(\.\d+)?$/.test(text);
  return Date.parse(sqlite ? `${text.replace(' ', 'T')}Z` : text);
}

function toRow(r: Row): HistoryRow | null {
  const playedAtMs = parsePlayedAt(r.played_at);
  return Number.isFinite(playedAtMs) ? { id: r.id, playedAtMs, artist: r.artist || null, title: r.title || null } : null;
}

// How many recent rows playingAt() considers: played_at is written by the intake and may not follow id
// order exactly, but it will not be out of order by more than this.
const RECENT_ROWS = 50;

export function sqliteMetadataHistory(db: BetterSqlite3.Database): MetadataHistory {
  const stmts = {
    lastId: db.prepare<[], { id: number | null }>('SELECT MAX(id) AS id FROM metadata_history'),
    since: db.prepare<[number], Row>('SELECT id, played_at, artist, title FROM metadata_history WHERE id > ? ORDER BY id LIMIT 1000'),
    recent: db.prepare<[number], Row>('SELECT id, played_at, artist, title FROM metadata_history ORDER BY id DESC LIMIT ?'),
  };
  return {
    lastId: () => stmts.lastId.get()?.id ?? 0,
    since: (id) => stmts.since.all(id).map(toRow).filter((r): r is HistoryRow => r !== null),
    playingAt: (ms) => {
      let best: HistoryRow | null = null;
      for (const raw of stmts.recent.all(RECENT_ROWS)) {
        const r = toRow(raw);
        if (r && r.playedAtMs <= ms && (best === null || r.playedAtMs > best.playedAtMs || (r.playedAtMs === best.playedAtMs && r.id > best.id))) best = r;
      }
      return best;
    },
  };
}
