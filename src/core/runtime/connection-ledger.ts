import type { ConnectionRecord, Socket } from './connection'

/**
 * The durable list of a channel instance's open connections, beside the
 * sockets' own attachments: a socket that dies with its process (a crash,
 * a restart, a deploy) takes its attachment with it, so only this list can
 * tell a woken instance whose `onDisconnect` never ran. One small write when a
 * connection opens, one when it has disconnected (and one per session change).
 * The Durable Object keeps it in SQLite; `MemoryConnectionLedger` is the double.
 */
export interface ConnectionLedger {
  /** A connection opened, or its session changed: keep its record (upsert). */
  opened(record: ConnectionRecord): void
  /** A connection has disconnected (its `onDisconnect` ran): forget it. */
  closed(channelId: string): void
  /** Channel ids of the connections of `channel` it holds. */
  openIds(channel: string): string[]
  /** The record kept for a connection, if any. */
  record(channelId: string): ConnectionRecord | undefined
}

export class MemoryConnectionLedger implements ConnectionLedger {
  readonly records = new Map<string, ConnectionRecord>()

  opened(record: ConnectionRecord): void {
    this.records.set(record.channelId, structuredClone(record))
  }

  closed(channelId: string): void {
    this.records.delete(channelId)
  }

  openIds(channel: string): string[] {
    return [...this.records.values()].filter((record) => record.channel === channel).map((record) => record.channelId)
  }

  record(channelId: string): ConnectionRecord | undefined {
    const record = this.records.get(channelId)
    return record && structuredClone(record)
  }
}

/** The socket of a connection found gone: nothing it is sent goes anywhere, and there is nothing to save it in. */
export const GONE_SOCKET: Socket = {
  send() {},
  close() {},
  save() {},
}
