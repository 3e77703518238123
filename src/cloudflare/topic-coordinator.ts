import { createConsoleLogger } from '../core/logger'
import type { ChannelObject } from './channel-object'

const log = createConsoleLogger()

type Namespace = DurableObjectNamespace<ChannelObject>

/**
 * The coordinator side of a global topic, kept in the coordinator object's
 * SQLite: which instances hold subscribers, and how to reach them. Instances
 * register when they gain their first subscriber under the topic and leave
 * when they lose their last.
 */
export class TopicCoordinator {
  /** Stubs are reused so that calls to one instance stay in order. */
  readonly #stubs = new Map<string, DurableObjectStub<ChannelObject>>()

  constructor(
    private readonly sql: SqlStorage,
    private readonly env: Record<string, unknown>,
  ) {
    sql.exec('CREATE TABLE IF NOT EXISTS pikku_topic_instances (instance TEXT PRIMARY KEY, binding TEXT NOT NULL) WITHOUT ROWID')
  }

  register(instance: string, binding: string): void {
    this.sql.exec('INSERT INTO pikku_topic_instances (instance, binding) VALUES (?, ?) ON CONFLICT (instance) DO UPDATE SET binding = excluded.binding', instance, binding)
  }

  unregister(instance: string): void {
    this.sql.exec('DELETE FROM pikku_topic_instances WHERE instance = ?', instance)
    this.#stubs.delete(instance)
  }

  instances(): string[] {
    return this.sql.exec<{ instance: string }>('SELECT instance FROM pikku_topic_instances ORDER BY instance').toArray().map((row) => row.instance)
  }

  /**
   * Forwards one publish to every registered instance, all at once: a slow or
   * failing instance delays nobody else. Returns when every instance answered
   * (the caller decides whether to wait for that).
   */
  forward(channel: string, topic: string, data: unknown): { instances: number; done: Promise<void> } {
    const rows = this.sql.exec<{ instance: string; binding: string }>('SELECT instance, binding FROM pikku_topic_instances').toArray()
    const calls = rows.map(async ({ instance, binding }) => {
      try {
        await this.#stub(instance, binding).deliverGlobal(channel, topic, data)
      } catch (error) {
        log.error('channel.global_delivery_failed', { channel, topic, instance, error })
      }
    })
    return { instances: rows.length, done: Promise.all(calls).then(() => undefined) }
  }

  #stub(instance: string, binding: string): DurableObjectStub<ChannelObject> {
    let stub = this.#stubs.get(instance)
    if (!stub) {
      const namespace = this.env[binding] as Namespace | undefined
      if (!namespace) throw new Error(`no Durable Object binding "${binding}"`)
      this.#stubs.set(instance, (stub = namespace.getByName(instance)))
    }
    return stub
  }
}
