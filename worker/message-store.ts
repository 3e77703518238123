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

  /** Every message, oldest first, read a page at a time (a long history is never all in memory). */
  *all(pageSize = 500): Generator<ChatMessage> {
    for (let after = 0; ; ) {
      const rows = this.sql.exec<{ id: number; author: string; text: string; at: number }>('SELECT id, author, text, at FROM chat_messages WHERE id > ? ORDER BY id LIMIT ?', after, pageSize).toArray()
      for (const { id, author, text, at } of rows) yield { id, author, text, at }
      if (rows.length < pageSize) return
      after = rows[rows.length - 1]!.id
    }
  }

  get(id: number): ChatMessage | undefined {
    const [row] = this.sql.exec<{ id: number; author: string; text: string; at: number }>('SELECT id, author, text, at FROM chat_messages WHERE id = ?', id).toArray()
    return row && { id: row.id, author: row.author, text: row.text, at: row.at }
  }

  /** Replaces a message's text; it keeps its id, author and time. */
  edit(id: number, text: string): ChatMessage {
    const row = this.sql.exec<{ id: number; author: string; text: string; at: number }>('UPDATE chat_messages SET text = ? WHERE id = ? RETURNING id, author, text, at', text, id).one()
    return { id: row.id, author: row.author, text: row.text, at: row.at }
  }

  count(): number {
    return this.sql.exec<{ n: number }>('SELECT COUNT(*) AS n FROM chat_messages').one().n
  }

  /** The latest `limit` messages, oldest first. */
  recent(limit: number): ChatMessage[] {
    const rows = this.sql.exec<{ id: number; author: string; text: string; at: number }>('SELECT id, author, text, at FROM chat_messages ORDER BY id DESC LIMIT ?', limit).toArray()
    return rows.reverse().map(({ id, author, text, at }) => ({ id, author, text, at }))
  }
}
