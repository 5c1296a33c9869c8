// Numbered schema migrations. Rules, so that a box in the field can be upgraded from any older firmware:
// - Never edit a migration that has shipped; add a new one with the next version number.
// - Each migration runs in its own transaction together with the bump of PRAGMA user_version and its
//   row in schema_migrations, so a power cut mid-upgrade leaves the database at the previous version,
//   and the next start simply retries.
// PRAGMA user_version is the source of truth (it lives in the file header and is transactional);
// schema_migrations is the human-readable history (what ran, and when).
// openDatabase runs migrations with foreign_keys=ON, and that pragma cannot change inside a transaction:
// a migration that rebuilds a table must use `PRAGMA defer_foreign_keys = ON` (SQLite's 12-step recipe).
import type BetterSqlite3 from 'better-sqlite3';

type Db = BetterSqlite3.Database;

export interface Migration {
  version: number;
  name: string;
  up: (db: Db) => void;
}

export const MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    name: 'initial schema',
    up: (db) => {
      // Columns and defaults are the seed's `encoders` table verbatim (the API field names are these
      // column names), followed by what this implementation adds. No CHECK constraints: validation is the
      // shared zod schema's job, and changing a CHECK in SQLite means rebuilding the table.
      db.exec(`
        CREATE TABLE encoders (
          id INTEGER PRIMARY KEY,
          name TEXT NOT NULL,
          enabled INTEGER DEFAULT 1,
          codec TEXT NOT NULL,
          bitrate_kbps INTEGER,
          sample_rate INTEGER DEFAULT 44100,
          channels INTEGER DEFAULT 2,
          quality INTEGER,
          output_type TEXT NOT NULL,
          server_host TEXT,
          server_port INTEGER,
          server_password TEXT,
          mount_point TEXT,
          stream_name TEXT,
          stream_genre TEXT,
          stream_url TEXT,
          stream_description TEXT,
          is_public INTEGER DEFAULT 0,
          file_output_path TEXT,
          file_rotation TEXT DEFAULT 'hourly',
          file_max_size_mb INTEGER DEFAULT 500,
          file_name_template TEXT DEFAULT '{date}-{time}-{station}.mp3',
          send_metadata INTEGER DEFAULT 1,
          icy_metadata_interval INTEGER DEFAULT 8192,
          reconnect_delay_secs INTEGER DEFAULT 5,
          max_reconnect_attempts INTEGER DEFAULT 0,
          created_at DATETIME DEFAULT CURRENT_TIMESTAMP,
          server_username TEXT DEFAULT 'source',
          shoutcast_sid INTEGER,
          backend TEXT DEFAULT 'ffmpeg'
        );

        -- As in the seed, except ON DELETE CASCADE: deleting an encoder must not fail because it has history.
        CREATE TABLE listener_snapshots (
          id INTEGER PRIMARY KEY,
          encoder_id INTEGER NOT NULL,
          snapshot_at DATETIME DEFAULT CURRENT_TIMESTAMP,
          current_listeners INTEGER DEFAULT 0,
          peak_listeners INTEGER DEFAULT 0,
          unique_listeners INTEGER DEFAULT 0,
          stream_bitrate INTEGER,
          FOREIGN KEY (encoder_id) REFERENCES encoders(id) ON DELETE CASCADE
        );
        -- Every stats query is "one encoder over a time range".
        CREATE INDEX listener_snapshots_encoder_time ON listener_snapshots (encoder_id, snapshot_at);

        -- The seed's historylist: every now-playing change; cue sheets are cut from it by time range.
        CREATE TABLE metadata_history (
          id INTEGER PRIMARY KEY,
          played_at DATETIME NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
          artist TEXT,
          title TEXT,
          source TEXT
        );
        CREATE INDEX metadata_history_played_at ON metadata_history (played_at);

        -- The operator event log (see event-log.ts). encoder_id deliberately has no foreign key: the log
        -- must keep what happened to an encoder after it is deleted.
        CREATE TABLE events (
          id INTEGER PRIMARY KEY,
          at DATETIME NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
          level TEXT NOT NULL,
          kind TEXT NOT NULL,
          encoder_id INTEGER,
          message TEXT NOT NULL,
          data TEXT
        );
        CREATE INDEX events_encoder ON events (encoder_id, id);

        -- Key/value settings; value is JSON text.
        CREATE TABLE settings (
          key TEXT PRIMARY KEY,
          value TEXT NOT NULL
        );
      `);
    },
  },
  {
    version: 2,
    name: 'listener stats: rollups and stats admin credentials',
    up: (db) => {
      // listener_snapshots keeps raw polls for 48 h; older ones are rolled into 5-minute buckets (kept
      // 30 days), those into 1-hour buckets (kept a year): see src/engine/stats/retention.ts.
      // current_sum/samples (not an average) so buckets merge exactly when rolled up again.
      // bucket_start is Unix seconds, a multiple of bucket_secs. WITHOUT ROWID: the key is the row.
      db.exec(`
        ALTER TABLE encoders ADD COLUMN stats_admin_user TEXT;
        ALTER TABLE encoders ADD COLUMN stats_admin_password TEXT;

        CREATE TABLE listener_rollups (
          encoder_id INTEGER NOT NULL,
          bucket_secs INTEGER NOT NULL,
          bucket_start INTEGER NOT NULL,
          samples INTEGER NOT NULL,
          current_sum INTEGER NOT NULL,
          current_max INTEGER NOT NULL,
          peak_max INTEGER NOT NULL,
          unique_max INTEGER NOT NULL,
          bitrate INTEGER,
          PRIMARY KEY (encoder_id, bucket_secs, bucket_start),
          FOREIGN KEY (encoder_id) REFERENCES encoders(id) ON DELETE CASCADE
        ) WITHOUT ROWID;
      `);
    },
  },
  {
    version: 3,
    name: 'now playing: per-encoder metadata charset',
    up: (db) => {
      // 'UTF-8' (sent with charset=UTF-8) | 'ISO-8859-1' | 'none' (raw UTF-8 without a charset parameter).
      db.exec(`ALTER TABLE encoders ADD COLUMN metadata_charset TEXT DEFAULT 'UTF-8';`);
    },
  },
  {
    version: 4,
    name: 'recordings: register of the files the engine recorded',
    up: (db) => {
      // Every file a recorder creates, registered before it exists: closed_at NULL while it is written or
      // after a crash left it open (repaired at start); retention deletes only files found here.
      // path is absolute (the recordings directory as it was, canonical, and the file below it).
      // encoder_id has no foreign key: a recording outlives its encoder.
      db.exec(`
        CREATE TABLE recording_files (
          id INTEGER PRIMARY KEY,
          path TEXT NOT NULL UNIQUE,
          encoder_id INTEGER,
          opened_at DATETIME NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
          closed_at DATETIME
        );
      `);
      // The files open at the upgrade were kept in a settings row until now.
      const row = db.prepare<[], { value: string }>(`SELECT value FROM settings WHERE key = 'recording_open_files'`).get();
      let open: unknown = [];
      try {
        open = row ? JSON.parse(row.value) : [];
      } catch {
        open = [];
      }
      const insert = db.prepare<[string]>('INSERT OR IGNORE INTO recording_files (path) VALUES (?)');
      if (Array.isArray(open)) for (const p of open) if (typeof p === 'string') insert.run(p);
      db.exec(`DELETE FROM settings WHERE key = 'recording_open_files'`);
    },
  },
  {
    version: 5,
    name: 'alarms: per-encoder on_silence and the alarm history',
    up: (db) => {
      // on_silence: 'keep' (stream the programme whatever it carries) | 'fallback' (the fallback audio while
      // the programme is silent) | 'stop' (off air during silence, back on when the audio returns).
      // alarms: every alarm raised, open (cleared_at NULL) while it holds; times ISO 8601 UTC. encoder_id has
      // no foreign key, like the event log: an alarm's history outlives its encoder.
      db.exec(`
        ALTER TABLE encoders ADD COLUMN on_silence TEXT DEFAULT 'keep';

        CREATE TABLE alarms (
          id INTEGER PRIMARY KEY,
          kind TEXT NOT NULL,
          subject TEXT NOT NULL,
          level TEXT NOT NULL,
          encoder_id INTEGER,
          text TEXT NOT NULL,
          raised_at TEXT NOT NULL,
          cleared_at TEXT
        );
        CREATE INDEX alarms_open ON alarms (cleared_at);
      `);
    },
  },
  {
    version: 6,
    name: 'access: sign-in sessions survive a restart',
    up: (db) => {
      // One row per signed-in page: the SHA-256 of its cookie (never the cookie), and when it expires if
      // unused (Unix ms). A reboot keeps everybody signed in; a password change deletes the others.
      db.exec(`
        CREATE TABLE sessions (
          token_sha256 TEXT PRIMARY KEY,
          created_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
          expires_at_ms INTEGER NOT NULL
        ) WITHOUT ROWID;
      `);
    },
  },
];

/** The schema version the given database file is at (0 for a new file). */
export function schemaVersion(db: Db): number {
  return Number(db.pragma('user_version', { simple: true }));
}

function checkSequence(migrations: readonly Migration[]): void {
  migrations.forEach((m, i) => {
    if (m.version !== i + 1) {
      throw new Error(`migration list is broken: entry ${i} has version ${m.version}, expected ${i + 1}`);
    }
  });
}

/**
 * Applies, one version at a time, every migration newer than the file's user_version.
 * Returns the versions applied (empty when the file was already current).
 * Throws if the file is newer than this firmware knows: guessing at an unknown schema could corrupt
 * the operator's configuration, so the caller must decide (e.g. refuse to start and say why).
 */
export function migrate(db: Db, migrations: readonly Migration[] = MIGRATIONS): number[] {
  checkSequence(migrations);
  db.exec(`CREATE TABLE IF NOT EXISTS schema_migrations (
    version INTEGER PRIMARY KEY,
    name TEXT NOT NULL,
    applied_at DATETIME NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))
  )`);
  const latest = migrations.length;
  const current = schemaVersion(db);
  if (current > latest) {
    throw new Error(
      `database schema version ${current} is newer than this firmware supports (${latest}); ` +
        'it was written by a newer RackCast — reinstall that version or restore a backup',
    );
  }
  const record = db.prepare('INSERT INTO schema_migrations (version, name) VALUES (?, ?)');
  const applied: number[] = [];
  for (const m of migrations.slice(current)) {
    // IMMEDIATE takes the write lock up front, so two processes opening the same file at once cannot
    // both decide to apply the same version.
    db.transaction(() => {
      if (schemaVersion(db) >= m.version) return;
      m.up(db);
      record.run(m.version, m.name);
      db.pragma(`user_version = ${m.version}`);
      applied.push(m.version);
    }).immediate();
  }
  return applied;
}
