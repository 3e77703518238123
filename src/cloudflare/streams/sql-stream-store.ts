import type { StreamRecord } from '../../core/streams/broker-rules'

/** A held frame: text is a message, bytes are data. */
export type StoredFrame = string | ArrayBuffer

/**
 * One stream's record and the frames the reader has not acknowledged, in the
 * broker object's SQLite: hibernation and eviction wipe memory, so a late or
 * returning reader is served from here. The record is read on every event
 * rather than cached: one small row, and nothing to go stale.
 *
 * A frame costs one write, its own row: the record's `written` is not stored
 * but read back as the last frame's number (every frame after the last ack
 * is held, so with none held it is the ack). Writing the record for every
 * frame as well cost a fifth of the throughput (bench/analysis.md).
 */
export class SqlStreamStore {
  constructor(private readonly sql: SqlStorage) {
    sql.exec('CREATE TABLE IF NOT EXISTS pikku_stream (key TEXT PRIMARY KEY, record TEXT NOT NULL) WITHOUT ROWID')
    sql.exec('CREATE TABLE IF NOT EXISTS pikku_stream_frames (seq INTEGER PRIMARY KEY, text TEXT, bytes BLOB)')
  }

  /** The stream's record, or undefined when this object holds no stream. */
  record(): StreamRecord | undefined {
    const [row] = this.sql
      .exec<{ record: string; last: number | null }>("SELECT record, (SELECT MAX(seq) FROM pikku_stream_frames) AS last FROM pikku_stream WHERE key = 'self'")
      .toArray()
    if (!row) return undefined
    const stored = JSON.parse(row.record) as Omit<StreamRecord, 'written'> & { written?: number }
    // Frames are discarded on abort and expiry: then `written` is what the record last said.
    return { ...stored, written: row.last ?? Math.max(stored.acked, stored.written ?? 0) }
  }

  /** Saves the record; `written` only when the frames that say it are about to go (abort, expiry). */
  save(record: StreamRecord, keepWritten = false): void {
    const { written, ...rest } = record
    this.sql.exec(
      "INSERT INTO pikku_stream (key, record) VALUES ('self', ?) ON CONFLICT (key) DO UPDATE SET record = excluded.record",
      JSON.stringify(keepWritten ? record : rest),
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
