import type { StreamRecord } from '../../core/streams/broker-rules'

/** A held frame: text is a message, bytes are data. */
export type StoredFrame = string | ArrayBuffer

/**
 * One stream's record and the frames the reader has not acknowledged, in the
 * broker object's SQLite: hibernation and eviction wipe memory, so a late or
 * returning reader is served from here. The record is read on every event
 * rather than cached: one small row, and nothing to go stale.
 */
export class SqlStreamStore {
  constructor(private readonly sql: SqlStorage) {
    sql.exec('CREATE TABLE IF NOT EXISTS pikku_stream (key TEXT PRIMARY KEY, record TEXT NOT NULL) WITHOUT ROWID')
    sql.exec('CREATE TABLE IF NOT EXISTS pikku_stream_frames (seq INTEGER PRIMARY KEY, text TEXT, bytes BLOB)')
  }

  /** The stream's record, or undefined when this object holds no stream. */
  record(): StreamRecord | undefined {
    const [row] = this.sql.exec<{ record: string }>("SELECT record FROM pikku_stream WHERE key = 'self'").toArray()
    return row ? (JSON.parse(row.record) as StreamRecord) : undefined
  }

  save(record: StreamRecord): void {
    this.sql.exec(
      "INSERT INTO pikku_stream (key, record) VALUES ('self', ?) ON CONFLICT (key) DO UPDATE SET record = excluded.record",
      JSON.stringify(record),
    )
  }

  append(seq: number, frame: StoredFrame): void {
    if (typeof frame === 'string') this.sql.exec('INSERT INTO pikku_stream_frames (seq, text) VALUES (?, ?)', seq, frame)
    else this.sql.exec('INSERT INTO pikku_stream_frames (seq, bytes) VALUES (?, ?)', seq, frame)
  }

  /** The held frames after frame `from`, in order. */
  *framesAfter(from: number): Generator<StoredFrame> {
    const rows = this.sql.exec<{ text: string | null; bytes: ArrayBuffer | null }>('SELECT text, bytes FROM pikku_stream_frames WHERE seq > ? ORDER BY seq', from)
    for (const row of rows) yield row.text ?? row.bytes ?? new ArrayBuffer(0)
  }

  /** Deletes the frames up to `seq`: the reader has them. */
  deleteUpTo(seq: number): void {
    this.sql.exec('DELETE FROM pikku_stream_frames WHERE seq <= ?', seq)
  }

  deleteFrames(): void {
    this.sql.exec('DELETE FROM pikku_stream_frames')
  }

  /** How many frames are held: the broker's own count, for the status RPC. */
  heldCount(): number {
    return this.sql.exec<{ n: number }>('SELECT COUNT(*) AS n FROM pikku_stream_frames').one().n
  }
}
