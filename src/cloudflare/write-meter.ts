const WRITE = /^\s*(INSERT|UPDATE|DELETE|REPLACE)\b/i

/**
 * Notes whether the library's own stores wrote to the object's SQLite since
 * it was last asked: the inbox batches socket messages only while writes
 * keep coming (see Inbox), since batching costs a timer per batch.
 */
export class WriteMeter {
  #wrote = false

  /** Whether anything was written since the last call. */
  takeWrote(): boolean {
    const wrote = this.#wrote
    this.#wrote = false
    return wrote
  }

  /** The object's SQLite as the library's stores use it (`exec` only), with writes noted. */
  sql(sql: SqlStorage): SqlStorage {
    const exec = sql.exec.bind(sql)
    const metered: Pick<SqlStorage, 'exec'> = {
      exec: (query, ...bindings) => {
        if (WRITE.test(query)) this.#wrote = true
        return exec(query, ...bindings)
      },
    }
    // The stores call nothing but exec.
    return metered as SqlStorage
  }
}
