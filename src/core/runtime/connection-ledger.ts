import { Connection, type ConnectionRecord, type Socket } from './connection'

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

/**
 * Who is on the ledger, decided here alone, with the flags each connection's
 * record (its attachment) keeps: a connection of a channel with `onDisconnect`
 * from its welcome (a crash must still run it), any other from its first stored
 * subscription (a crash must still release it), and no other: a disconnect of a
 * connection with no row and no subscription makes no storage statement.
 */
export class LedgerKeeping {
  readonly #ledger: ConnectionLedger | undefined
  readonly #fromWelcome: boolean
  #reconciled = false
  /** Connections found gone this wake: a late close event for one of them must not disconnect it again. */
  readonly #gone = new Set<string>()

  constructor(ledger: ConnectionLedger | undefined, channelHasOnDisconnect: boolean) {
    this.#ledger = ledger
    this.#fromWelcome = channelHasOnDisconnect
  }

  /** Just before the welcome saves the record: flags it if it goes on the ledger now. */
  welcoming(conn: Connection): void {
    if (this.#ledger && this.#fromWelcome) conn.record.ledgered = true
  }

  /** After the welcome: the row, for a flagged connection. */
  welcomed(conn: Connection): void {
    if (conn.record.ledgered) this.#ledger?.opened(conn.record)
  }

  /** The connection stored a subscription: it has some to drop, and goes on the ledger if it was not. */
  stored(conn: Connection): void {
    if (conn.record.subscribed) return
    conn.record.subscribed = true
    if (this.#ledger && !conn.record.ledgered) {
      conn.record.ledgered = true
      this.#ledger.opened(conn.record)
    }
    conn.socket.save(conn.record)
  }

  /** Its session changed: the row keeps what `onDisconnect` will see. */
  sessionChanged(conn: Connection): void {
    if (conn.state === 'open' && conn.record.ledgered) this.#ledger?.opened(conn.record)
  }

  /** It has disconnected: off the ledger (no statement for one that was never on it). */
  forget(conn: Connection): void {
    if (conn.record.ledgered) this.#ledger?.closed(conn.record.channelId)
  }

  /** Whether its disconnect has stored subscriptions to drop (without a ledger nothing is tracked: assume so). */
  hasSubscriptions(conn: Connection): boolean {
    return !this.#ledger || conn.record.subscribed === true
  }

  /** Whether the connection was found gone by `takeGone` this wake. */
  wasGone(channelId: string): boolean {
    return this.#gone.has(channelId)
  }

  /**
   * Once per wake (later calls find nothing): the connections of `channel` on
   * the ledger whose sockets are gone (`isLive` says which exist), rebuilt over a
   * socket that sends nowhere, for the runtime to disconnect.
   */
  takeGone(channel: string, isLive: (channelId: string) => boolean): Connection[] {
    if (this.#reconciled || !this.#ledger) return []
    this.#reconciled = true
    const gone: Connection[] = []
    for (const channelId of this.#ledger.openIds(channel)) {
      if (isLive(channelId)) continue
      this.#gone.add(channelId)
      const record = this.#ledger.record(channelId)
      // On the ledger by definition, and maybe subscribed, whatever the record says (one written before the flags existed).
      if (record) gone.push(new Connection({ ...record, ledgered: true, subscribed: true }, GONE_SOCKET))
    }
    return gone
  }
}
