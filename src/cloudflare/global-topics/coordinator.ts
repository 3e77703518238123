import { shellLog } from '../shell-log'

/** Sends one global publish to one registered instance. */
export type DeliverToInstance = (instance: string, binding: string, channel: string, topic: string, data: unknown, skip: string | undefined) => Promise<void>

/**
 * The coordinator side of a global topic, kept in the coordinator object's
 * SQLite: which instances hold subscribers, and under which binding. Instances
 * register when they gain their first subscriber under the topic and leave
 * when they lose their last. How an instance is reached is the caller's
 * (`deliver`), so this is SQL plus fan-out and nothing else.
 */
export class TopicCoordinator {
  constructor(
    private readonly sql: SqlStorage,
    private readonly deliver: DeliverToInstance,
  ) {
    sql.exec('CREATE TABLE IF NOT EXISTS pikku_topic_instances (instance TEXT PRIMARY KEY, binding TEXT NOT NULL) WITHOUT ROWID')
  }

  register(instance: string, binding: string): void {
    this.sql.exec('INSERT INTO pikku_topic_instances (instance, binding) VALUES (?, ?) ON CONFLICT (instance) DO UPDATE SET binding = excluded.binding', instance, binding)
  }

  unregister(instance: string): void {
    this.sql.exec('DELETE FROM pikku_topic_instances WHERE instance = ?', instance)
  }

  instances(): string[] {
    return this.sql.exec<{ instance: string }>('SELECT instance FROM pikku_topic_instances ORDER BY instance').toArray().map((row) => row.instance)
  }

  /**
   * Forwards one publish to every registered instance, all at once: a slow or
   * failing instance delays nobody else. `done` settles when every instance
   * answered (the caller decides whether to wait for that).
   */
  fanOut(channel: string, topic: string, data: unknown, skip: string | undefined): { instances: number; done: Promise<void> } {
    const rows = this.sql.exec<{ instance: string; binding: string }>('SELECT instance, binding FROM pikku_topic_instances').toArray()
    const calls = rows.map(async ({ instance, binding }) => {
      try {
        await this.deliver(instance, binding, channel, topic, data, skip)
      } catch (error) {
        shellLog.error('channel.global_delivery_failed', { channel, topic, instance, error })
      }
    })
    return { instances: rows.length, done: Promise.all(calls).then(() => undefined) }
  }
}
