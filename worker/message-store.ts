import type { ChatMessage } from './room'

/** A room's history, in its channel instance's SQLite storage. */
export class MessageStore {
  constructor(private readonly sql: SqlStorage) {
    sql.exec(`CREATE TABLE IF NOT EXISTS chat_messages (
      id INTEGER PRIMARY KEY AUTOINCREMENT,
      author TEXT NOT NULL,
      text TEXT NOT NULL,
      at INTEGER NOT NULL
    )`)
  }

  add(author: string, text: string): ChatMessage {
    const at = Date.now()
    const row = this.sql.exec<{ id: number }>('INSERT INTO chat_messages (author, text, at) VALUES (?, ?, ?) RETURNING id', author, text, at).one()
    return { id: row.id, author, text, at }
  }

  /** The latest `limit` messages, oldest first. */
  recent(limit: number): ChatMessage[] {
    const rows = this.sql.exec<{ id: number; author: string; text: string; at: number }>('SELECT id, author, text, at FROM chat_messages ORDER BY id DESC LIMIT ?', limit).toArray()
    return rows.reverse().map(({ id, author, text, at }) => ({ id, author, text, at }))
  }
}
