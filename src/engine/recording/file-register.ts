// The register of every file the engine recorded (table recording_files, migration 4). A file is
// registered before it exists and marked closed once it is finished, so a crash, a power cut or a pulled
// drive leaves a row that says "repair me"; retention deletes only files found here, so audio the engine
// never wrote (copied onto the stick, or in a directory that was recorded into once) is never touched.
import type BetterSqlite3 from 'better-sqlite3';

export interface RegisteredFile {
  path: string;
  encoderId: number | null;
  closed: boolean;
}

interface Row {
  path: string;
  encoder_id: number | null;
  closed_at: string | null;
}

export class FileRegister {
  private readonly stmts;

  constructor(db: BetterSqlite3.Database) {
    this.stmts = {
      open: db.prepare<[string, number | null]>(
        // A name used again (the old file was deleted by hand) starts a new life.
        `INSERT INTO recording_files (path, encoder_id) VALUES (?, ?)
         ON CONFLICT(path) DO UPDATE SET encoder_id = excluded.encoder_id, opened_at = excluded.opened_at, closed_at = NULL`,
      ),
      close: db.prepare<[string]>(`UPDATE recording_files SET closed_at = strftime('%Y-%m-%dT%H:%M:%fZ', 'now') WHERE path = ?`),
      forget: db.prepare<[string]>('DELETE FROM recording_files WHERE path = ?'),
      openFiles: db.prepare<[], Row>('SELECT path, encoder_id, closed_at FROM recording_files WHERE closed_at IS NULL ORDER BY id'),
      below: db.prepare<[string, string], Row>(
        // Paths below a directory: "dir/" up to "dir0" ('0' follows '/' in byte order).
        'SELECT path, encoder_id, closed_at FROM recording_files WHERE path >= ? AND path < ? ORDER BY id',
      ),
      has: db.prepare<[string], { n: number }>('SELECT COUNT(*) AS n FROM recording_files WHERE path = ?'),
    };
  }

  /** Registered before the file is created. */
  opened(path: string, encoderId: number | null = null): void {
    this.stmts.open.run(path, encoderId);
  }

  closed(path: string): void {
    this.stmts.close.run(path);
  }

  /** The file is gone (deleted by retention, or found missing). */
  forget(path: string): void {
    this.stmts.forget.run(path);
  }

  has(path: string): boolean {
    return (this.stmts.has.get(path)?.n ?? 0) > 0;
  }

  /** Files not finished: being written, or left open by a crash. */
  openFiles(): string[] {
    return this.stmts.openFiles.all().map((r) => r.path);
  }

  /** Every registered file below the directory `dir` (absolute, canonical). */
  below(dir: string): RegisteredFile[] {
    const prefix = dir.endsWith('/') ? dir : `${dir}/`;
    const end = `${prefix.slice(0, -1)}0`;
    return this.stmts.below.all(prefix, end).map((r) => ({ path: r.path, encoderId: r.encoder_id, closed: r.closed_at !== null }));
  }
}
