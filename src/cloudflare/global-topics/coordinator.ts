import { shellLog } from '../shell-log'
import { SerialByKey } from './serial-by-key'

/** Sends one global publish to one registered instance. */
export type DeliverToInstance = (instance: string, binding: string, channel: string, topic: string, data: unknown, skip: string | undefined) => Promise<void>

/**
 * Deliveries to one instance that may fail in a row before the coordinator
 * drops it. A success (or the instance registering again) starts the count
 * over, so a restart or a deploy (a failure or two) costs nothing, while an
 * instance that stays unreachable stops costing every publish an RPC.
 */
export const MAX_DELIVERY_FAILURES = 5

/**
 * The coordinator side of a global topic, kept in the coordinator object's
 * SQLite: which instances hold subscribers, under which binding, and how many
 * deliveries to each failed in a row. Instances register when they gain their
 * first subscriber under the topic and leave when they lose their last; one
 * dropped for failing comes back when it subscribes or publishes again. How an
 * instance is reached is the caller's (`deliver`), so this is SQL plus
 * fan-out and nothing else.
 */
export class TopicCoordinator {
  /** One delivery at a time per instance, in publish order. */
  readonly #queues = new SerialByKey()

  constructor(
    private readonly sql: SqlStorage,
    private readonly deliver: DeliverToInstance,
  ) {
    sql.exec('CREATE TABLE IF NOT EXISTS pikku_topic_instances (instance TEXT PRIMARY KEY, binding TEXT NOT NULL, failures INTEGER NOT NULL DEFAULT 0) WITHOUT ROWID')
    addFailuresColumn(sql)
  }

  /** An instance gained its first subscriber (or a later one): registered, with a clean slate. */
  register(instance: string, binding: string): void {
    this.sql.exec(
      'INSERT INTO pikku_topic_instances (instance, binding) VALUES (?, ?) ON CONFLICT (instance) DO UPDATE SET binding = excluded.binding, failures = 0',
      instance,
      binding,
    )
  }

  /** An instance that publishes while holding subscribers: registered again if it was dropped, its count left as it is otherwise. */
  ensureRegistered(instance: string, binding: string): void {
    this.sql.exec('INSERT INTO pikku_topic_instances (instance, binding) VALUES (?, ?) ON CONFLICT (instance) DO NOTHING', instance, binding)
  }

  unregister(instance: string): void {
    this.sql.exec('DELETE FROM pikku_topic_instances WHERE instance = ?', instance)
  }

  instances(): string[] {
    return this.sql.exec<{ instance: string }>('SELECT instance FROM pikku_topic_instances ORDER BY instance').toArray().map((row) => row.instance)
  }

  /** Failed deliveries in a row to a registered instance; undefined when it is not registered. */
  failures(instance: string): number | undefined {
    return this.sql.exec<{ failures: number }>('SELECT failures FROM pikku_topic_instances WHERE instance = ?', instance).toArray()[0]?.failures
  }

  /**
   * Forwards one publish to every registered instance. Instances are called
   * side by side, so a slow or failing one delays nobody else; each one's
   * deliveries queue behind its earlier ones, so it sees events in the order
   * they reached the coordinator. `done` settles when every instance answered
   * (the caller decides whether to wait for that).
   */
  fanOut(channel: string, topic: string, data: unknown, skip: string | undefined): { instances: number; done: Promise<void> } {
    const rows = this.sql.exec<{ instance: string; binding: string }>('SELECT instance, binding FROM pikku_topic_instances').toArray()
    const calls = rows.map(({ instance, binding }) =>
      this.#queues.run(instance, async () => {
        try {
          await this.deliver(instance, binding, channel, topic, data, skip)
        } catch (error) {
          this.#failed(instance, channel, topic, error)
          return
        }
        // A write only when there is a count to clear.
        this.sql.exec('UPDATE pikku_topic_instances SET failures = 0 WHERE instance = ? AND failures > 0', instance)
      }),
    )
    return { instances: rows.length, done: Promise.all(calls).then(() => undefined) }
  }

  /** Counts a failed delivery, and drops the instance at the limit. */
  #failed(instance: string, channel: string, topic: string, error: unknown): void {
    const row = this.sql.exec<{ failures: number }>('UPDATE pikku_topic_instances SET failures = failures + 1 WHERE instance = ? RETURNING failures', instance).toArray()[0]
    shellLog.error('channel.global_delivery_failed', { channel, topic, instance, failures: row?.failures, error })
    if (!row || row.failures < MAX_DELIVERY_FAILURES) return
    this.unregister(instance)
    shellLog.warn('channel.global_instance_dropped', {
      channel,
      topic,
      instance,
      failures: row.failures,
      why: `${row.failures} deliveries in a row failed (MAX_DELIVERY_FAILURES); it registers again at its next subscription or publish under this topic`,
    })
  }
}

/** Tables made before failures were counted get the column, every instance starting at 0. */
function addFailuresColumn(sql: SqlStorage): void {
  const columns = sql.exec<{ name: string }>("SELECT name FROM pragma_table_info('pikku_topic_instances')").toArray()
  if (!columns.some((column) => column.name === 'failures')) sql.exec('ALTER TABLE pikku_topic_instances ADD COLUMN failures INTEGER NOT NULL DEFAULT 0')
}
