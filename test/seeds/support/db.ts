/**
 * The `db` service the seeds assume (`db.createTodo`, `db.listMessages`...),
 * in the channel instance's own SQLite, so it survives hibernation and
 * eviction like everything else.
 */
export interface Todo {
  id: number
  text: string
  done: boolean
}

export interface Message {
  id: number
  text: string
  userId: string
}

export class Db {
  constructor(private readonly sql: SqlStorage) {
    sql.exec(`
      CREATE TABLE IF NOT EXISTS todos (id INTEGER PRIMARY KEY AUTOINCREMENT, text TEXT NOT NULL, done INTEGER NOT NULL DEFAULT 0);
      CREATE TABLE IF NOT EXISTS messages (id INTEGER PRIMARY KEY AUTOINCREMENT, text TEXT NOT NULL, user_id TEXT NOT NULL);
    `)
  }

  async createTodo({ text }: { text: string }): Promise<Todo> {
    const row = this.sql.exec<{ id: number }>('INSERT INTO todos (text) VALUES (?) RETURNING id', text).one()
    return { id: row.id, text, done: false }
  }

  async listTodos(): Promise<Todo[]> {
    return this.sql
      .exec<{ id: number; text: string; done: number }>('SELECT id, text, done FROM todos ORDER BY id')
      .toArray()
      .map((row) => ({ id: row.id, text: row.text, done: row.done === 1 }))
  }

  async createMessage({ text, userId }: { text: string; userId: string }): Promise<Message> {
    const row = this.sql.exec<{ id: number }>('INSERT INTO messages (text, user_id) VALUES (?, ?) RETURNING id', text, userId).one()
    return { id: row.id, text, userId }
  }

  async listMessages(limit = 50): Promise<Message[]> {
    return this.sql
      .exec<{ id: number; text: string; user_id: string }>('SELECT id, text, user_id FROM messages ORDER BY id DESC LIMIT ?', limit)
      .toArray()
      .reverse()
      .map((row) => ({ id: row.id, text: row.text, userId: row.user_id }))
  }
}
