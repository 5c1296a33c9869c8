// The operator event log: what an engineer reads to find out why a stream dropped at 03:12 last night.
// (Developer debug output goes to log.ts instead.)
//
// Table `events` (migration 1):
//   id          INTEGER PRIMARY KEY   monotonically increasing; newest = highest
//   at          DATETIME              ISO 8601 UTC with milliseconds, e.g. 2024-05-01T03:12:45.123Z
//   level       TEXT                  'info' | 'warning' | 'error'
//   kind        TEXT                  machine-readable event kind (below)
//   encoder_id  INTEGER NULL          the encoder concerned; NULL for box-wide events. No foreign key:
//                                     the history of a deleted encoder stays readable.
//   message     TEXT                  one sentence an operator understands ("Server refused the password")
//   data        TEXT NULL             JSON with details for tools (attempt numbers, exit codes, ...)
//
// Kinds in use (add new ones here when you emit them):
//   encoder_started         an encoder was started (operator or autostart)
//   encoder_stopped         an encoder was stopped by the operator
//   encoder_connected       source connection accepted by the server
//   encoder_disconnected    an established connection dropped
//   encoder_retrying        a connect attempt failed and a retry is scheduled ("Retrying (2/5)")
//   encoder_failed          gave up after max_reconnect_attempts
//   capture_lost            the audio input stopped delivering (device gone, arecord died)
//   capture_restored        audio input is back
//   config_changed          an encoder or setting was created, changed or deleted
//   capture_changed         the capture moved to another device or format (PUT /api/capture); data: {before, after}
//   password_changed        the admin password was changed on the page or by PUT /api/access/password
//   token_created           an API token was created (the page or the API); data: {id, scope}
//   token_revoked           it was revoked; data: {id}
//   config_imported         a backup was imported (POST /api/config/import); data: the report of what changed
//   metadata_push_failed    a now-playing title could not be sent to an encoder's server after its retries;
//                           data: {song, attempts, method}
//   recording_started       a file encoder started recording
//   recording_stopped       it stopped (operator)
//   recording_rotation      a file was closed and the next one opened, without a gap
//   recording_dropped       the storage was too slow and the recorder's queue lost audio (ms in the message)
//   recording_error         a write failed (the message says why)
//   recording_storage_full  the recordings drive is full: recording stopped cleanly, streams untouched
//   recording_storage_missing  the recordings drive is gone (pulled): nothing is written to the root fs
//   recording_storage_restored  the storage is back or has room again; recording continues in a new file
//   recording_retention     retention deleted old recordings; data: {files}
//   recording_repaired      a recording left open by a power cut was repaired at start
//   alarm_raised            an alarm was raised (silence, channel_lost, clipping, no_input, encoder_retrying, ...);
//                           the message is its words; data: {alarm_kind, subject}
//   alarm_cleared           it cleared; data: {alarm_kind, subject, since}
//   fallback_started        the fallback audio went on air (encoders with on_silence "fallback"); data: {file}
//   fallback_ended          back to the programme
//   fallback_released       an operator ended a held fallback (auto_return off)
//   notification_failed     an alarm notification (webhook or mail) gave up after its retries; data: {event, alarm_kind}
//
// The table is capped at maxRows (default 50 000, oldest pruned on insert), so months of unattended
// running with a flapping server cannot fill the SD card.
import type BetterSqlite3 from 'better-sqlite3';

type Db = BetterSqlite3.Database;

export type EventLevel = 'info' | 'warning' | 'error';

/** One event as the API sends it (field names are the column names, like every API object). */
export interface OperatorEvent {
  id: number;
  at: string;
  level: EventLevel;
  kind: string;
  encoder_id: number | null;
  message: string;
  data: unknown;
}

export interface NewEvent {
  level: EventLevel;
  kind: string;
  encoderId?: number | null;
  message: string;
  data?: unknown;
}

interface EventRow {
  id: number;
  at: string;
  level: string;
  kind: string;
  encoder_id: number | null;
  message: string;
  data: string | null;
}

export interface EventQuery {
  limit?: number;
  /** Only these kinds. */
  kinds?: string[];
  encoderId?: number;
  /** Older than this event id (the next page: the last id of the one before). */
  beforeId?: number;
  /** At or after this time (ISO 8601 UTC, as `at`). */
  since?: string;
}

export const DEFAULT_MAX_EVENT_ROWS = 50_000;
const DEFAULT_RECENT_LIMIT = 100;

/** Logging must never throw into the code that reports a problem: unserialisable data is replaced. */
function dataToJson(data: unknown): string | null {
  if (data === undefined) return null;
  try {
    return JSON.stringify(data) ?? null;
  } catch (err) {
    return JSON.stringify({ unserializable: String(err) });
  }
}

function parseData(text: string | null): unknown {
  if (text === null) return null;
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

function toEvent(r: EventRow): OperatorEvent {
  return {
    id: r.id,
    at: r.at,
    level: r.level as EventLevel,
    kind: r.kind,
    encoder_id: r.encoder_id,
    message: r.message,
    data: parseData(r.data),
  };
}

export class EventLog {
  readonly maxRows: number;
  private readonly stmts;
  private readonly insertAndPrune: (e: NewEvent) => EventRow;
  private readonly db: Db;
  private readonly listeners = new Set<(e: OperatorEvent) => void>();

  constructor(db: Db, opts: { maxRows?: number } = {}) {
    this.maxRows = Math.max(1, Math.floor(opts.maxRows ?? DEFAULT_MAX_EVENT_ROWS));
    this.db = db;
    this.stmts = {
      insert: db.prepare<[string, string, number | null, string, string | null], EventRow>(
        'INSERT INTO events (level, kind, encoder_id, message, data) VALUES (?, ?, ?, ?, ?) RETURNING *',
      ),
      // ids only grow (the newest row is never deleted), so "older than the newest maxRows" is an
      // index range on the primary key: cheap enough to run on every insert.
      prune: db.prepare<[number]>('DELETE FROM events WHERE id <= ?'),
      recent: db.prepare<[number], EventRow>('SELECT * FROM events ORDER BY id DESC LIMIT ?'),
      recentFor: db.prepare<[number, number], EventRow>(
        'SELECT * FROM events WHERE encoder_id = ? ORDER BY id DESC LIMIT ?',
      ),
    };
    // Insert and prune together, so the cap holds even across a power cut.
    this.insertAndPrune = db.transaction((e: NewEvent): EventRow => {
      const row = this.stmts.insert.get(e.level, e.kind, e.encoderId ?? null, e.message, dataToJson(e.data));
      if (!row) throw new Error('INSERT ... RETURNING returned no row');
      if (row.id > this.maxRows) this.stmts.prune.run(row.id - this.maxRows);
      return row;
    });
  }

  /** Records an event and returns it as stored (with its id and timestamp). */
  add(e: NewEvent): OperatorEvent {
    const event = toEvent(this.insertAndPrune(e));
    // A listener's failure (the SSE fan-out) must never fail the code that reported the event.
    for (const l of this.listeners) {
      try {
        l(event);
      } catch {
        /* ignored: see above */
      }
    }
    return event;
  }

  /** Called with every event as stored (the page's live log). Returns the unsubscribe function. */
  onAdded(listener: (e: OperatorEvent) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** The kinds the log holds, alphabetically. */
  kinds(): string[] {
    return this.db.prepare<[], { kind: string }>('SELECT DISTINCT kind FROM events ORDER BY kind').all().map((r) => r.kind);
  }

  /** Newest first, filtered; every filter is a bound parameter on an indexed or primary-key range. */
  query(q: EventQuery = {}): OperatorEvent[] {
    const asked = Number.isFinite(q.limit) ? Math.floor(q.limit as number) : DEFAULT_RECENT_LIMIT;
    const limit = Math.min(this.maxRows, Math.max(1, asked));
    const where: string[] = [];
    const params: (string | number)[] = [];
    if (q.kinds && q.kinds.length > 0) {
      where.push(`kind IN (${q.kinds.map(() => '?').join(', ')})`);
      params.push(...q.kinds);
    }
    if (q.encoderId !== undefined) {
      where.push('encoder_id = ?');
      params.push(q.encoderId);
    }
    if (q.beforeId !== undefined) {
      where.push('id < ?');
      params.push(q.beforeId);
    }
    if (q.since !== undefined) {
      where.push('at >= ?');
      params.push(q.since);
    }
    const sql = `SELECT * FROM events${where.length ? ` WHERE ${where.join(' AND ')}` : ''} ORDER BY id DESC LIMIT ?`;
    return this.db.prepare<(string | number)[], EventRow>(sql).all(...params, limit).map(toEvent);
  }

  /** The newest events first, optionally only one encoder's; limit defaults to 100, at most maxRows. */
  recent(opts: { limit?: number; encoderId?: number } = {}): OperatorEvent[] {
    // A limit from a query string may be NaN; SQLite would reject it, so fall back to the default.
    const asked = Number.isFinite(opts.limit) ? Math.floor(opts.limit as number) : DEFAULT_RECENT_LIMIT;
    const limit = Math.min(this.maxRows, Math.max(1, asked));
    const rows =
      opts.encoderId === undefined
        ? this.stmts.recent.all(limit)
        : this.stmts.recentFor.all(opts.encoderId, limit);
    return rows.map(toEvent);
  }
}
