import type { KeptOutcome, ResultStore } from '../core/runtime/kept-results'

/**
 * Answers kept for retries (see `KeptResults`), in the object's SQLite, so a
 * retry after hibernation or eviction still finds its answer. One row per
 * request of a resumable connection; rows past the window are pruned.
 */
export class SqlResultStore implements ResultStore {
  constructor(private readonly sql: SqlStorage) {
    sql.exec(`
      CREATE TABLE IF NOT EXISTS pikku_results (token TEXT NOT NULL, id TEXT NOT NULL, at INTEGER NOT NULL, outcome TEXT NOT NULL, PRIMARY KEY (token, id)) WITHOUT ROWID;
      CREATE INDEX IF NOT EXISTS pikku_results_by_age ON pikku_results (at);
    `)
  }

  get(token: string, id: string, since: number): KeptOutcome | undefined {
    const [row] = this.sql.exec<{ outcome: string }>('SELECT outcome FROM pikku_results WHERE token = ? AND id = ? AND at >= ?', token, id, since).toArray()
    return row && (JSON.parse(row.outcome) as KeptOutcome)
  }

  put(token: string, id: string, outcome: KeptOutcome, at: number): void {
    this.sql.exec('INSERT OR REPLACE INTO pikku_results (token, id, at, outcome) VALUES (?, ?, ?, ?)', token, id, at, JSON.stringify(outcome))
  }

  prune(before: number): void {
    this.sql.exec('DELETE FROM pikku_results WHERE at < ?', before)
  }
}
