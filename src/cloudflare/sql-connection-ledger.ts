import type { ConnectionRecord } from '../core/runtime/connection'
import type { ConnectionLedger } from '../core/runtime/connection-ledger'
import { shellLog } from './shell-log'

/**
 * The open connections of a channel instance, in the object's SQLite (see
 * `ConnectionLedger`). Records are JSON: after a crash, `onDisconnect` sees
 * the opening data and session as JSON would carry them.
 */
export class SqlConnectionLedger implements ConnectionLedger {
  constructor(private readonly sql: SqlStorage) {
    sql.exec('CREATE TABLE IF NOT EXISTS pikku_connections (channel_id TEXT PRIMARY KEY, channel TEXT NOT NULL, record TEXT NOT NULL) WITHOUT ROWID')
  }

  opened(record: ConnectionRecord): void {
    this.sql.exec(
      'INSERT INTO pikku_connections (channel_id, channel, record) VALUES (?, ?, ?) ON CONFLICT (channel_id) DO UPDATE SET record = excluded.record',
      record.channelId,
      record.channel,
      recordText(record),
    )
  }

  closed(channelId: string): void {
    this.sql.exec('DELETE FROM pikku_connections WHERE channel_id = ?', channelId)
  }

  openIds(channel: string): string[] {
    return this.sql
      .exec<{ channel_id: string }>('SELECT channel_id FROM pikku_connections WHERE channel = ?', channel)
      .toArray()
      .map((row) => row.channel_id)
  }

  record(channelId: string): ConnectionRecord | undefined {
    const [row] = this.sql.exec<{ record: string }>('SELECT record FROM pikku_connections WHERE channel_id = ?', channelId).toArray()
    return row && (JSON.parse(row.record) as ConnectionRecord)
  }
}

/** The record as JSON; a session JSON cannot carry (a BigInt, a cycle) is left out rather than losing the connection. */
function recordText(record: ConnectionRecord): string {
  try {
    return JSON.stringify(record)
  } catch (error) {
    shellLog.warn('channel.ledger_session_dropped', { channel: record.channel, channelId: record.channelId, error })
    const { session: _session, ...rest } = record
    return JSON.stringify(rest)
  }
}
