// Listener history in SQLite: raw polls in the seed's listener_snapshots, older history in
// listener_rollups (migration 2). The arithmetic is in downsample.ts; this file only moves rows.
//
// snapshot_at is written as ISO 8601 UTC with milliseconds (like events.at), so text order is time
// order and the (encoder_id, snapshot_at) index serves every range query.
import type BetterSqlite3 from 'better-sqlite3';
import { FIVE_MIN_SECS, HOUR_SECS, rawSample, rollUp, type RetentionPlan, type Sample } from './downsample.js';

type Db = BetterSqlite3.Database;

export interface SnapshotCounts {
  current: number;
  peak: number;
  unique: number | null;
  bitrate: number | null;
}

export interface StoredSnapshot extends SnapshotCounts {
  at: string;
}

interface SnapshotRow {
  encoder_id: number;
  snapshot_at: string;
  current_listeners: number | null;
  peak_listeners: number | null;
  unique_listeners: number | null;
  stream_bitrate: number | null;
}

interface RollupRow {
  encoder_id: number;
  bucket_start: number;
  samples: number;
  current_sum: number;
  current_max: number;
  peak_max: number;
  unique_max: number;
  bitrate: number | null;
}

export interface RetentionResult {
  rawRolled: number;
  fiveMinRolled: number;
  hourDeleted: number;
}

const iso = (ms: number): string => new Date(ms).toISOString();

/** ISO, or SQLite's CURRENT_TIMESTAMP form (a row written by another tool), as ms. */
function parseTime(text: string): number {
  const ms = Date.parse(/^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d(\.\d+)?$/.test(text) ? `${text.replace(' ', 'T')}Z` : text);
  return Number.isFinite(ms) ? ms : 0;
}

function fromSnapshot(r: SnapshotRow): Sample {
  return rawSample(r.encoder_id, parseTime(r.snapshot_at), r.current_listeners ?? 0, r.peak_listeners ?? 0, r.unique_listeners ?? 0, r.stream_bitrate);
}

function fromRollup(r: RollupRow): Sample {
  return {
    encoderId: r.encoder_id,
    t: r.bucket_start * 1000,
    samples: r.samples,
    currentSum: r.current_sum,
    currentMax: r.current_max,
    peakMax: r.peak_max,
    uniqueMax: r.unique_max,
    bitrate: r.bitrate,
  };
}

export class ListenerStore {
  private readonly stmts;
  private readonly retain: (plan: RetentionPlan) => RetentionResult;

  constructor(db: Db) {
    const SNAPSHOT_COLUMNS = 'encoder_id, snapshot_at, current_listeners, peak_listeners, unique_listeners, stream_bitrate';
    const ROLLUP_COLUMNS = 'encoder_id, bucket_start, samples, current_sum, current_max, peak_max, unique_max, bitrate';
    this.stmts = {
      insert: db.prepare<[number, string, number, number, number, number | null]>(
        `INSERT INTO listener_snapshots (${SNAPSHOT_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?)`,
      ),
      latest: db.prepare<[number], SnapshotRow>(
        `SELECT ${SNAPSHOT_COLUMNS} FROM listener_snapshots WHERE encoder_id = ? ORDER BY snapshot_at DESC LIMIT 1`,
      ),
      rawRange: db.prepare<[number, string, string], SnapshotRow>(
        `SELECT ${SNAPSHOT_COLUMNS} FROM listener_snapshots WHERE encoder_id = ? AND snapshot_at >= ? AND snapshot_at < ?`,
      ),
      rollupRange: db.prepare<[number, number, number], RollupRow>(
        `SELECT ${ROLLUP_COLUMNS} FROM listener_rollups WHERE encoder_id = ? AND bucket_secs IN (${FIVE_MIN_SECS}, ${HOUR_SECS})
           AND bucket_start >= ? AND bucket_start < ?`,
      ),
      // Per encoder, so the (encoder_id, snapshot_at) index does the work; with foreign keys on (always,
      // see database.ts) every snapshot belongs to a row of encoders.
      encoderIds: db.prepare<[], { id: number }>('SELECT id FROM encoders'),
      rawBefore: db.prepare<[number, string], SnapshotRow>(`SELECT ${SNAPSHOT_COLUMNS} FROM listener_snapshots WHERE encoder_id = ? AND snapshot_at < ?`),
      deleteRawBefore: db.prepare<[number, string]>('DELETE FROM listener_snapshots WHERE encoder_id = ? AND snapshot_at < ?'),
      rollupBefore: db.prepare<[number, number, number], RollupRow>(
        `SELECT ${ROLLUP_COLUMNS} FROM listener_rollups WHERE encoder_id = ? AND bucket_secs = ? AND bucket_start < ?`,
      ),
      deleteRollupBefore: db.prepare<[number, number, number]>(
        'DELETE FROM listener_rollups WHERE encoder_id = ? AND bucket_secs = ? AND bucket_start < ?',
      ),
      // Merging, not replacing: a bucket may be rolled twice (raw rows arriving late after a clock step).
      upsert: db.prepare<[number, number, number, number, number, number, number, number, number | null]>(
        `INSERT INTO listener_rollups (encoder_id, bucket_secs, bucket_start, samples, current_sum, current_max, peak_max, unique_max, bitrate)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
         ON CONFLICT (encoder_id, bucket_secs, bucket_start) DO UPDATE SET
           samples = samples + excluded.samples,
           current_sum = current_sum + excluded.current_sum,
           current_max = max(current_max, excluded.current_max),
           peak_max = max(peak_max, excluded.peak_max),
           unique_max = max(unique_max, excluded.unique_max),
           bitrate = coalesce(excluded.bitrate, bitrate)`,
      ),
    };
    const write = (buckets: Sample[], bucketSecs: number): void => {
      for (const b of buckets) {
        this.stmts.upsert.run(b.encoderId, bucketSecs, b.t / 1000, b.samples, b.currentSum, b.currentMax, b.peakMax, b.uniqueMax, b.bitrate);
      }
    };
    // One transaction per run: a power cut leaves either the rows or their buckets, never both or neither.
    this.retain = db.transaction((plan: RetentionPlan): RetentionResult => {
      const rawBefore = iso(plan.rollRawBefore);
      const fiveBefore = plan.rollFiveMinBefore / 1000;
      const hourBefore = plan.deleteHourBefore / 1000;
      const result: RetentionResult = { rawRolled: 0, fiveMinRolled: 0, hourDeleted: 0 };
      for (const { id } of this.stmts.encoderIds.all()) {
        const raw = this.stmts.rawBefore.all(id, rawBefore).map(fromSnapshot);
        write(rollUp(raw, FIVE_MIN_SECS), FIVE_MIN_SECS);
        this.stmts.deleteRawBefore.run(id, rawBefore);
        const five = this.stmts.rollupBefore.all(id, FIVE_MIN_SECS, fiveBefore).map(fromRollup);
        write(rollUp(five, HOUR_SECS), HOUR_SECS);
        this.stmts.deleteRollupBefore.run(id, FIVE_MIN_SECS, fiveBefore);
        result.hourDeleted += this.stmts.deleteRollupBefore.run(id, HOUR_SECS, hourBefore).changes;
        result.rawRolled += raw.length;
        result.fiveMinRolled += five.length;
      }
      return result;
    });
  }

  add(encoderId: number, atMs: number, c: SnapshotCounts): void {
    this.stmts.insert.run(encoderId, iso(atMs), c.current, c.peak, c.unique ?? 0, c.bitrate);
  }

  latest(encoderId: number): StoredSnapshot | null {
    const r = this.stmts.latest.get(encoderId);
    if (!r) return null;
    return { at: iso(parseTime(r.snapshot_at)), current: r.current_listeners ?? 0, peak: r.peak_listeners ?? 0, unique: r.unique_listeners, bitrate: r.stream_bitrate };
  }

  /** Raw polls and stored buckets of one encoder with t in [fromMs, toMs). They never overlap: rolling deletes. */
  samples(encoderId: number, fromMs: number, toMs: number): Sample[] {
    return [
      ...this.stmts.rollupRange.all(encoderId, Math.ceil(fromMs / 1000), Math.ceil(toMs / 1000)).map(fromRollup),
      ...this.stmts.rawRange.all(encoderId, iso(fromMs), iso(toMs)).map(fromSnapshot),
    ];
  }

  /** Rolls and deletes as the plan says (see planRetention). */
  applyRetention(plan: RetentionPlan): RetentionResult {
    return this.retain(plan);
  }
}
