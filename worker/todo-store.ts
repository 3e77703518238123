import * as v from 'valibot'

/** One item of a todo list, as stored, returned and published. */
export const Todo = v.object({
  id: v.number(),
  title: v.string(),
  done: v.boolean(),
  /** Milliseconds since the epoch. */
  at: v.number(),
})

export type Todo = v.InferOutput<typeof Todo>

/** A list's todos, in its channel instance's SQLite; the table is made on first use, so chat rooms never get one. */
export class TodoStore {
  #ready = false

  constructor(private readonly sql: SqlStorage) {}

  add(title: string): Todo {
    const at = Date.now()
    const { id } = this.#table().exec<{ id: number }>('INSERT INTO todos (title, done, at) VALUES (?, 0, ?) RETURNING id', title, at).one()
    return { id, title, done: false, at }
  }

  all(): Todo[] {
    return this.#table()
      .exec<{ id: number; title: string; done: number; at: number }>('SELECT id, title, done, at FROM todos ORDER BY id')
      .toArray()
      .map((row) => ({ ...row, done: row.done === 1 }))
  }

  /** Marks a todo done; undefined if there is no such todo. */
  complete(id: number): Todo | undefined {
    const [row] = this.#table().exec<{ id: number; title: string; at: number }>('UPDATE todos SET done = 1 WHERE id = ? RETURNING id, title, at', id).toArray()
    return row && { ...row, done: true }
  }

  #table(): SqlStorage {
    if (!this.#ready) {
      this.sql.exec('CREATE TABLE IF NOT EXISTS todos (id INTEGER PRIMARY KEY AUTOINCREMENT, title TEXT NOT NULL, done INTEGER NOT NULL, at INTEGER NOT NULL)')
      this.#ready = true
    }
    return this.sql
  }
}
