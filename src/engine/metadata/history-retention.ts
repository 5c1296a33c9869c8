// Keeps metadata_history bounded: rows older than the retention, and rows past the row cap (oldest
// first), are deleted at start and every hour. In batches, each its own short transaction with a pause
// after it, so deleting a year of titles never holds the database (or the event loop) for long. The
// newest row always stays: it is the current title, read back after a restart.
import type BetterSqlite3 from 'better-sqlite3';
import { log } from '../log.js';

const debug = log('metadata:retention');

export interface HistoryRetention {
  days: number;
  maxRows: number;
}

export const PRUNE_EVERY_MS = 3_600_000;
export const PRUNE_BATCH_ROWS = 500;
export const PRUNE_PAUSE_MS = 50;
const DAY_MS = 86_400_000;

type Db = BetterSqlite3.Database;

/** Deletes at most `batchRows` rows that are too old or past the cap; returns how many went. */
export function pruneHistoryBatch(db: Db, retention: HistoryRetention, nowMs: number, batchRows = PRUNE_BATCH_ROWS): number {
  const newest = db.prepare<[], { id: number | null }>('SELECT MAX(id) AS id FROM metadata_history').get()?.id ?? null;
  if (newest === null) return 0;
  const cutoff = new Date(nowMs - retention.days * DAY_MS).toISOString();
  // The id of the first row past the cap (the row cap is counted from the newest).
  const capId = db.prepare<[number], { id: number }>('SELECT id FROM metadata_history ORDER BY id DESC LIMIT 1 OFFSET ?').get(retention.maxRows)?.id ?? null;
  const deleteOld = db.prepare<[string, number, number]>(
    'DELETE FROM metadata_history WHERE id IN (SELECT id FROM metadata_history WHERE played_at < ? AND id < ? ORDER BY played_at LIMIT ?)',
  );
  const deleteOver = db.prepare<[number, number, number]>(
    'DELETE FROM metadata_history WHERE id IN (SELECT id FROM metadata_history WHERE id <= ? AND id < ? ORDER BY id LIMIT ?)',
  );
  return db.transaction(() => {
    let deleted = deleteOld.run(cutoff, newest, batchRows).changes;
    if (capId !== null && deleted < batchRows) deleted += deleteOver.run(capId, newest, batchRows - deleted).changes;
    return deleted;
  })();
}

export interface HistoryPrunerOptions {
  retention: () => HistoryRetention;
  now?: () => number;
  everyMs?: number;
  batchRows?: number;
  pauseMs?: number;
}

export class HistoryPruner {
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<number> | null = null;
  private again = false;
  private stopped = false;
  private lastError: string | null = null;
  private deletedTotal = 0;

  constructor(
    private readonly db: Db,
    private readonly opts: HistoryPrunerOptions,
  ) {}

  /** Prunes now and then every hour. */
  start(): void {
    this.stopped = false;
    void this.run();
    this.timer = setInterval(() => void this.run(), this.opts.everyMs ?? PRUNE_EVERY_MS);
    this.timer.unref();
  }

  stop(): void {
    this.stopped = true;
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
  }

  status(): { deleted_rows: number; last_error: string | null } {
    return { deleted_rows: this.deletedTotal, last_error: this.lastError };
  }

  /** One pruning pass, batch after batch until nothing is left to delete; resolves with the rows deleted. */
  run(): Promise<number> {
    if (this.running) {
      // Settings changed during a pass: go round once more with the new retention.
      this.again = true;
      return this.running;
    }
    this.running = this.pass().finally(() => {
      this.running = null;
      if (this.again && !this.stopped) {
        this.again = false;
        void this.run();
      }
    });
    return this.running;
  }

  private async pass(): Promise<number> {
    const batchRows = this.opts.batchRows ?? PRUNE_BATCH_ROWS;
    let total = 0;
    for (;;) {
      if (!this.db.open) break;
      let deleted: number;
      try {
        deleted = pruneHistoryBatch(this.db, this.opts.retention(), (this.opts.now ?? Date.now)(), batchRows);
        this.lastError = null;
      } catch (err) {
        this.lastError = (err as Error).message;
        debug('pruning failed: %s', this.lastError);
        break;
      }
      total += deleted;
      this.deletedTotal += deleted;
      if (deleted < batchRows || this.stopped) break;
      await new Promise((r) => setTimeout(r, this.opts.pauseMs ?? PRUNE_PAUSE_MS));
    }
    if (total > 0) debug('pruned %d history rows', total);
    return total;
  }
}
