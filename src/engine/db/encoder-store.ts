// The `encoders` table as EncoderConfig objects.
//
// Passwords are write-only (DESIGN.md, HTTP API): list() and get() never carry server_password, so no
// route can leak it by serialising a config; the engine asks for it explicitly with password(id) when it
// connects. Every write is one SQL statement, hence one transaction: a power cut leaves either the old or
// the new row, never half of each.
import type BetterSqlite3 from 'better-sqlite3';
import type { EncoderWrite } from '../stream/encoder-schema.js';
import type { Backend, Codec, EncoderConfig, FileRotation, OnSilence, OutputType } from '../types.js';

// What create/update accept (validated by the shared schema): EncoderConfig minus id/created_at.
// server_password: a string sets it, null or '' clears it, undefined keeps the stored one (the page
// never has it to send back).
export type { EncoderWrite };

type Db = BetterSqlite3.Database;

// What SQLite hands back: INTEGER booleans, and NULL wherever the seed schema allows it.
interface EncoderRow {
  id: number;
  name: string;
  enabled: number | null;
  codec: string;
  bitrate_kbps: number | null;
  sample_rate: number | null;
  channels: number | null;
  quality: number | null;
  output_type: string;
  server_host: string | null;
  server_port: number | null;
  server_username: string | null;
  mount_point: string | null;
  shoutcast_sid: number | null;
  stream_name: string | null;
  stream_genre: string | null;
  stream_url: string | null;
  stream_description: string | null;
  is_public: number | null;
  file_output_path: string | null;
  file_rotation: string | null;
  file_max_size_mb: number | null;
  file_name_template: string | null;
  send_metadata: number | null;
  icy_metadata_interval: number | null;
  reconnect_delay_secs: number | null;
  max_reconnect_attempts: number | null;
  backend: string | null;
  stats_admin_user: string | null;
  metadata_charset: string | null;
  on_silence: string | null;
  created_at: string | null;
}

// Every writable column except server_password and stats_admin_password, which have their own keep/clear rule.
const WRITE_COLUMNS = [
  'name', 'enabled', 'codec', 'bitrate_kbps', 'sample_rate', 'channels', 'quality', 'output_type',
  'server_host', 'server_port', 'server_username', 'mount_point', 'shoutcast_sid', 'stream_name',
  'stream_genre', 'stream_url', 'stream_description', 'is_public', 'file_output_path', 'file_rotation',
  'file_max_size_mb', 'file_name_template', 'send_metadata', 'icy_metadata_interval',
  'reconnect_delay_secs', 'max_reconnect_attempts', 'backend', 'stats_admin_user', 'metadata_charset',
  'on_silence',
] as const satisfies readonly (keyof EncoderWrite & keyof EncoderRow)[];

type WriteColumn = (typeof WRITE_COLUMNS)[number];
type SqlValue = string | number | null;

// Selected explicitly (not SELECT *) so server_password cannot slip into a result by accident.
const READ_COLUMNS = ['id', ...WRITE_COLUMNS, 'created_at'].join(', ');

/** SQLite's CURRENT_TIMESTAMP is 'YYYY-MM-DD HH:MM:SS' in UTC; JS parses that as local time, so send ISO. */
function isoUtc(sqliteTime: string | null): string {
  if (!sqliteTime) return '';
  return /^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d(\.\d+)?$/.test(sqliteTime) ? `${sqliteTime.replace(' ', 'T')}Z` : sqliteTime;
}

// NULLs in columns the API types as non-null (possible only for rows written outside this store) fall back
// to the seed defaults, so the engine always gets a complete config.
function toConfig(r: EncoderRow): EncoderConfig {
  return {
    id: r.id,
    name: r.name,
    enabled: (r.enabled ?? 1) !== 0,
    codec: r.codec as Codec,
    bitrate_kbps: r.bitrate_kbps,
    sample_rate: r.sample_rate ?? 44100,
    channels: r.channels === 1 ? 1 : 2,
    quality: r.quality,
    output_type: r.output_type as OutputType,
    server_host: r.server_host,
    server_port: r.server_port,
    server_username: r.server_username ?? 'source',
    mount_point: r.mount_point,
    shoutcast_sid: r.shoutcast_sid,
    stream_name: r.stream_name,
    stream_genre: r.stream_genre,
    stream_url: r.stream_url,
    stream_description: r.stream_description,
    is_public: (r.is_public ?? 0) !== 0,
    file_output_path: r.file_output_path,
    file_rotation: (r.file_rotation ?? 'hourly') as FileRotation,
    file_max_size_mb: r.file_max_size_mb ?? 500,
    file_name_template: r.file_name_template ?? '{date}-{time}-{station}.mp3',
    send_metadata: (r.send_metadata ?? 1) !== 0,
    icy_metadata_interval: r.icy_metadata_interval ?? 8192,
    reconnect_delay_secs: r.reconnect_delay_secs ?? 5,
    max_reconnect_attempts: r.max_reconnect_attempts ?? 0,
    backend: (r.backend ?? 'ffmpeg') as Backend,
    stats_admin_user: r.stats_admin_user,
    metadata_charset: r.metadata_charset === 'ISO-8859-1' || r.metadata_charset === 'none' ? r.metadata_charset : 'UTF-8',
    on_silence: r.on_silence === 'fallback' || r.on_silence === 'stop' ? (r.on_silence as OnSilence) : 'keep',
    created_at: isoUtc(r.created_at),
  };
}

// better-sqlite3 refuses to bind booleans; the seed stores them as INTEGER 0/1.
function toParams(w: EncoderWrite): Record<WriteColumn, SqlValue> {
  const out = {} as Record<WriteColumn, SqlValue>;
  for (const col of WRITE_COLUMNS) {
    const v = w[col];
    out[col] = typeof v === 'boolean' ? (v ? 1 : 0) : (v ?? null);
  }
  return out;
}

/** null and '' both mean "no password" and are stored as NULL. */
function passwordParam(p: string | null | undefined): string | null {
  return p === undefined || p === null || p === '' ? null : p;
}

export class EncoderStore {
  private readonly stmts;

  constructor(private readonly db: Db) {
    const setList = WRITE_COLUMNS.map((c) => `${c} = @${c}`).join(', ');
    this.stmts = {
      list: db.prepare<[], EncoderRow>(`SELECT ${READ_COLUMNS} FROM encoders ORDER BY id`),
      get: db.prepare<[number], EncoderRow>(`SELECT ${READ_COLUMNS} FROM encoders WHERE id = ?`),
      insert: db.prepare<[Record<string, SqlValue>]>(
        `INSERT INTO encoders (${WRITE_COLUMNS.join(', ')}, server_password, stats_admin_password)
         VALUES (${WRITE_COLUMNS.map((c) => `@${c}`).join(', ')}, @server_password, @stats_admin_password)`,
      ),
      // Two statements rather than one with a flag, so "keep the password" is visible in the SQL itself.
      updateKeepPassword: db.prepare<[Record<string, SqlValue>]>(`UPDATE encoders SET ${setList} WHERE id = @id`),
      updateWithPassword: db.prepare<[Record<string, SqlValue>]>(
        `UPDATE encoders SET ${setList}, server_password = @server_password WHERE id = @id`,
      ),
      // ON DELETE CASCADE (migration 1) removes the encoder's listener_snapshots in the same statement.
      delete: db.prepare<[number]>('DELETE FROM encoders WHERE id = ?'),
      password: db.prepare<[number], { server_password: string | null }>(
        'SELECT server_password FROM encoders WHERE id = ?',
      ),
      setStatsAdminPassword: db.prepare<[string | null, number]>('UPDATE encoders SET stats_admin_password = ? WHERE id = ?'),
      statsAdminPassword: db.prepare<[number], { stats_admin_password: string | null }>(
        'SELECT stats_admin_password FROM encoders WHERE id = ?',
      ),
    };
  }

  list(): EncoderConfig[] {
    return this.stmts.list.all().map(toConfig);
  }

  get(id: number): EncoderConfig | null {
    const row = this.stmts.get.get(id);
    return row ? toConfig(row) : null;
  }

  /** Inserts a new encoder and returns its id. */
  create(w: EncoderWrite): number {
    const info = this.stmts.insert.run({
      ...toParams(w),
      server_password: passwordParam(w.server_password),
      stats_admin_password: passwordParam(w.stats_admin_password),
    });
    return Number(info.lastInsertRowid);
  }

  /** Inserts an encoder under a given id (a restored backup keeps its ids, and with them the on-air list). */
  createWithId(id: number, w: EncoderWrite): void {
    this.db.prepare<[number]>('INSERT INTO encoders (id, name, codec, output_type) VALUES (?, \'\', \'mp3\', \'file\')').run(id);
    this.update(id, { ...w, server_password: w.server_password ?? null, stats_admin_password: w.stats_admin_password ?? null });
  }

  /** Replaces every field of encoder `id`; false if there is no such encoder. */
  update(id: number, w: EncoderWrite): boolean {
    const params = { ...toParams(w), id };
    // One transaction: the stats admin password (same keep/clear rule) lands with the rest or not at all.
    return this.db.transaction(() => {
      const info =
        w.server_password === undefined
          ? this.stmts.updateKeepPassword.run(params)
          : this.stmts.updateWithPassword.run({ ...params, server_password: passwordParam(w.server_password) });
      if (info.changes > 0 && w.stats_admin_password !== undefined) {
        this.stmts.setStatsAdminPassword.run(passwordParam(w.stats_admin_password), id);
      }
      return info.changes > 0;
    })();
  }

  /** Deletes encoder `id` and its listener history; false if there was no such encoder. */
  delete(id: number): boolean {
    return this.stmts.delete.run(id).changes > 0;
  }

  /** The stored source password, for the engine's own use when connecting. Never send it to a client. */
  password(id: number): string | null {
    return this.stmts.password.get(id)?.server_password ?? null;
  }

  /** The stored Icecast admin password for listener stats; engine-only, like password(). */
  statsAdminPassword(id: number): string | null {
    return this.stmts.statsAdminPassword.get(id)?.stats_admin_password ?? null;
  }
}
