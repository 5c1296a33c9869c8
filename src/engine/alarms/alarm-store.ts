// The `alarms` table (migration 5): every alarm raised, open while it holds (cleared_at NULL). Capped
// at maxRows, oldest pruned, so a flapping feed over months cannot fill the SD card.
import type BetterSqlite3 from 'better-sqlite3';
import type { Alarm, AlarmCondition, AlarmKind } from './alarm-model.js';

type Db = BetterSqlite3.Database;

interface AlarmRow {
  id: number;
  kind: string;
  subject: string;
  level: string;
  encoder_id: number | null;
  text: string;
  raised_at: string;
  cleared_at: string | null;
}

export const DEFAULT_MAX_ALARM_ROWS = 10_000;

function toAlarm(r: AlarmRow): Alarm {
  return { id: r.id, kind: r.kind as AlarmKind, subject: r.subject, level: r.level === 'error' ? 'error' : 'warning', encoder_id: r.encoder_id, since: r.raised_at, cleared: r.cleared_at, text: r.text };
}

export class AlarmStore {
  private readonly stmts;
  private readonly maxRows: number;

  constructor(db: Db, opts: { maxRows?: number } = {}) {
    this.maxRows = opts.maxRows ?? DEFAULT_MAX_ALARM_ROWS;
    this.stmts = {
      insert: db.prepare<[string, string, string, number | null, string, string], AlarmRow>(
        'INSERT INTO alarms (kind, subject, level, encoder_id, text, raised_at) VALUES (?, ?, ?, ?, ?, ?) RETURNING *',
      ),
      prune: db.prepare<[number]>('DELETE FROM alarms WHERE id <= ? AND cleared_at IS NOT NULL'),
      clear: db.prepare<[string, string, number], AlarmRow>('UPDATE alarms SET cleared_at = ?, text = ? WHERE id = ? RETURNING *'),
      closeOpen: db.prepare<[string]>('UPDATE alarms SET cleared_at = ? WHERE cleared_at IS NULL'),
      recent: db.prepare<[number], AlarmRow>('SELECT * FROM alarms ORDER BY id DESC LIMIT ?'),
    };
  }

  /** Alarms left open by the last run (a power cut, a restart) are closed now: the new run detects afresh. */
  closeLeftOpen(nowIso: string): number {
    return this.stmts.closeOpen.run(nowIso).changes;
  }

  raise(c: AlarmCondition, sinceIso: string): Alarm {
    const row = this.stmts.insert.get(c.kind, c.subject, c.level, c.encoderId ?? null, c.text, sinceIso);
    if (!row) throw new Error('INSERT ... RETURNING returned no row');
    if (row.id > this.maxRows) this.stmts.prune.run(row.id - this.maxRows);
    return toAlarm(row);
  }

  clear(alarm: Alarm, clearedIso: string): Alarm {
    const row = this.stmts.clear.get(clearedIso, alarm.text, alarm.id);
    return row ? toAlarm(row) : { ...alarm, cleared: clearedIso };
  }

  /** Newest first: open and past alarms. */
  recent(limit: number): Alarm[] {
    return this.stmts.recent.all(Math.max(1, Math.min(1000, Math.floor(limit) || 100))).map(toAlarm);
  }
}
