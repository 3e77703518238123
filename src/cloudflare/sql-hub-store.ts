import type { Delivery, HubStore, LoggedEvent } from '../core/event-hub/hub-store'

/**
 * EventHub state in the object's SQLite storage. Tables are prefixed
 * `pikku_`; leave them to the library.
 */
export class SqlHubStore implements HubStore {
  constructor(private readonly sql: SqlStorage) {
    sql.exec(`
      CREATE TABLE IF NOT EXISTS pikku_subscriptions (topic TEXT NOT NULL, channel_id TEXT NOT NULL, delivery TEXT NOT NULL DEFAULT 'event', PRIMARY KEY (topic, channel_id)) WITHOUT ROWID;
      CREATE INDEX IF NOT EXISTS pikku_subscriptions_by_channel ON pikku_subscriptions (channel_id);
      CREATE TABLE IF NOT EXISTS pikku_events (seq INTEGER PRIMARY KEY, topic TEXT NOT NULL, json TEXT, bytes BLOB, at INTEGER NOT NULL);
      CREATE TABLE IF NOT EXISTS pikku_meta (key TEXT PRIMARY KEY, value) WITHOUT ROWID;
    `)
    addDeliveryColumn(sql)
  }

  addSubscription(topic: string, channelId: string, delivery: Delivery): boolean {
    return (
      this.sql.exec(
        'INSERT INTO pikku_subscriptions (topic, channel_id, delivery) VALUES (?, ?, ?) ON CONFLICT (topic, channel_id) DO UPDATE SET delivery = excluded.delivery WHERE delivery <> excluded.delivery',
        topic,
        channelId,
        delivery,
      ).rowsWritten > 0
    )
  }

  removeSubscription(topic: string, channelId: string): boolean {
    return this.sql.exec('DELETE FROM pikku_subscriptions WHERE topic = ? AND channel_id = ?', topic, channelId).rowsWritten > 0
  }

  removeSubscriptions(channelId: string): string[] {
    return this.sql.exec<{ topic: string }>('DELETE FROM pikku_subscriptions WHERE channel_id = ? RETURNING topic', channelId).toArray().map((row) => row.topic)
  }

  hasSubscription(topic: string, channelId: string): boolean {
    return this.sql.exec('SELECT 1 FROM pikku_subscriptions WHERE topic = ? AND channel_id = ?', topic, channelId).toArray().length > 0
  }

  countSubscriptions(channelId?: string): number {
    const rows =
      channelId === undefined
        ? this.sql.exec<{ n: number }>('SELECT count(*) AS n FROM pikku_subscriptions')
        : this.sql.exec<{ n: number }>('SELECT count(*) AS n FROM pikku_subscriptions WHERE channel_id = ?', channelId)
    return rows.one().n
  }

  subscribersOf(topic: string): [string, Delivery][] {
    return this.sql
      .exec<{ channel_id: string; delivery: Delivery }>('SELECT channel_id, delivery FROM pikku_subscriptions WHERE topic = ?', topic)
      .toArray()
      .map((row) => [row.channel_id, row.delivery])
  }

  patternSubscriptions(): [string, string, Delivery][] {
    return this.sql
      .exec<{ topic: string; channel_id: string; delivery: Delivery }>("SELECT topic, channel_id, delivery FROM pikku_subscriptions WHERE topic = '*' OR topic GLOB '*:[*]'")
      .toArray()
      .map((row) => [row.topic, row.channel_id, row.delivery])
  }

  topicsUnder(key: string): string[] {
    const rows =
      key === '*'
        ? this.sql.exec<{ topic: string }>('SELECT DISTINCT topic FROM pikku_subscriptions')
        : key.endsWith(':*')
          ? this.sql.exec<{ topic: string }>('SELECT DISTINCT topic FROM pikku_subscriptions WHERE substr(topic, 1, ?) = ?', key.length - 1, key.slice(0, -1))
          : this.sql.exec<{ topic: string }>('SELECT DISTINCT topic FROM pikku_subscriptions WHERE topic = ?', key)
    return rows.toArray().map((row) => row.topic)
  }

  seqCeiling(): number {
    return this.#meta('seq_ceiling') ?? 0
  }

  setSeqCeiling(seq: number): void {
    this.#setMeta('seq_ceiling', seq)
  }

  appendEvent(event: LoggedEvent): void {
    const json = typeof event.data === 'string' ? event.data : null
    const bytes = typeof event.data === 'string' ? null : event.data
    this.sql.exec('INSERT INTO pikku_events (seq, topic, json, bytes, at) VALUES (?, ?, ?, ?, ?)', event.seq, event.topic, json, bytes, event.at)
  }

  eventsAfter(seq: number): LoggedEvent[] {
    return this.sql
      .exec<{ seq: number; topic: string; json: string | null; bytes: ArrayBuffer | null; at: number }>('SELECT seq, topic, json, bytes, at FROM pikku_events WHERE seq > ? ORDER BY seq', seq)
      .toArray()
      .map((row) => ({ seq: row.seq, topic: row.topic, data: row.json ?? new Uint8Array(row.bytes!), at: row.at }))
  }

  logSize(): number {
    return this.sql.exec<{ n: number }>('SELECT count(*) AS n FROM pikku_events').one().n
  }

  trim(count: number, notBefore: number): number {
    const rows = this.sql
      .exec<{ seq: number }>(
        'DELETE FROM pikku_events WHERE at < ? OR seq <= (SELECT seq FROM pikku_events ORDER BY seq DESC LIMIT 1 OFFSET ?) RETURNING seq',
        notBefore,
        count,
      )
      .toArray()
    return rows.reduce((max, row) => Math.max(max, row.seq), 0)
  }

  trimmedThrough(): number {
    return this.#meta('trimmed_through') ?? 0
  }

  setTrimmedThrough(seq: number): void {
    this.#setMeta('trimmed_through', seq)
  }

  #meta(key: string): number | undefined {
    return this.sql.exec<{ value: number }>('SELECT value FROM pikku_meta WHERE key = ?', key).toArray()[0]?.value
  }

  #setMeta(key: string, value: number): void {
    this.sql.exec('INSERT INTO pikku_meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value', key, value)
  }
}

/** Tables made before subscriptions had a delivery mode gain the column (every row there was an `event` one). */
function addDeliveryColumn(sql: SqlStorage): void {
  const columns = sql.exec<{ name: string }>("SELECT name FROM pragma_table_info('pikku_subscriptions')").toArray()
  if (!columns.some((column) => column.name === 'delivery')) sql.exec("ALTER TABLE pikku_subscriptions ADD COLUMN delivery TEXT NOT NULL DEFAULT 'event'")
}
