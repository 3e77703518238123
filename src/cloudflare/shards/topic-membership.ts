import type { GlobalBridge } from '../../core/event-hub/global-bridge'
import type { CloudflareShardLink } from './link'

/**
 * A sharded instance takes part in a global topic as one instance, through
 * its owner: the coordinator delivers to the owner, which numbers the event
 * and sends it to every shard. So the owner keeps, in its SQLite, which of
 * its shards hold subscribers under each declaration, and is registered
 * with the coordinator while any does.
 */
export class ShardTopicMembership {
  constructor(
    private readonly sql: SqlStorage,
    private readonly bridge: GlobalBridge,
  ) {
    sql.exec('CREATE TABLE IF NOT EXISTS pikku_shard_topics (key TEXT NOT NULL, shard INTEGER NOT NULL, PRIMARY KEY (key, shard)) WITHOUT ROWID')
  }

  /** A shard gained a subscriber under `key`: the first registers the instance, any later one renews it (the coordinator may have dropped it). */
  async register(key: string, shard: number): Promise<void> {
    const first = this.#shards(key) === 0
    this.sql.exec('INSERT OR IGNORE INTO pikku_shard_topics (key, shard) VALUES (?, ?)', key, shard)
    if (first) await this.bridge.register(key)
    else this.bridge.renew(key)
  }

  /** Whether any shard holds subscribers under `key`. */
  holds(key: string): boolean {
    return this.#shards(key) > 0
  }

  async unregister(key: string, shard: number): Promise<void> {
    const removed = this.sql.exec('DELETE FROM pikku_shard_topics WHERE key = ? AND shard = ?', key, shard).rowsWritten
    if (removed > 0 && this.#shards(key) === 0) await this.bridge.unregister(key)
  }

  #shards(key: string): number {
    return this.sql.exec<{ n: number }>('SELECT COUNT(*) AS n FROM pikku_shard_topics WHERE key = ?', key).one().n
  }
}

/**
 * The global bridge of one shard: registration through the owner's membership, publishing straight to
 * the coordinator. Only the owner is an instance there: a shard's publish never asks the coordinator
 * to register the shard itself (its subscribers would hear every event twice).
 */
export function shardedBridge(inner: GlobalBridge, link: CloudflareShardLink, membership: () => ShardTopicMembership): GlobalBridge {
  const quietly = (registering: Promise<void>) => void registering.catch(() => {})
  if (link.index === 0) {
    return {
      register: (key) => membership().register(key, 0),
      renew: (key) => quietly(membership().register(key, 0)),
      unregister: (key) => membership().unregister(key, 0),
      publish: (key, topic, data, skip, subscribed) => inner.publish(key, topic, data, skip, subscribed || membership().holds(key)),
    }
  }
  return {
    register: (key) => link.registerOnOwner(key),
    renew: (key) => quietly(link.registerOnOwner(key)),
    unregister: (key) => link.unregisterOnOwner(key),
    publish: (key, topic, data, skip) => inner.publish(key, topic, data, skip, false),
  }
}
