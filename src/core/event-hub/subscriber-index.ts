import { isPattern, patternPrefix } from '../protocol/topics'
import type { Delivery, HubStore } from './hub-store'

/** Channel id -> how its subscription is delivered. */
export type Subscribers = ReadonlyMap<string, Delivery>

/**
 * Who is subscribed to what, in memory, in front of the store: a publish
 * costs time in proportion to its topic's subscribers, not to all of them.
 * Topics are loaded from the store on first use after a wake; patterns all
 * at once (there are few).
 */
export class SubscriberIndex {
  /** Topic -> subscribers, for topics loaded since the last wake. */
  readonly #exact = new Map<string, Map<string, Delivery>>()
  /** Pattern prefix (`news:`) -> subscribers, loaded on first use. */
  #patterns: Map<string, Map<string, Delivery>> | undefined

  constructor(private readonly store: HubStore) {}

  /** Keeps loaded entries current after the store gained (or changed) a subscription; unloaded ones will be read from the store. */
  added(topic: string, channelId: string, delivery: Delivery): void {
    if (!isPattern(topic)) {
      this.#exact.get(topic)?.set(channelId, delivery)
      return
    }
    if (!this.#patterns) return
    const ids = this.#patterns.get(patternPrefix(topic))
    if (ids) ids.set(channelId, delivery)
    else this.#patterns.set(patternPrefix(topic), new Map([[channelId, delivery]]))
  }

  /** Drops an entry after the store lost a subscription. */
  removed(topic: string, channelId: string): void {
    if (!isPattern(topic)) {
      this.#exact.get(topic)?.delete(channelId)
      return
    }
    const ids = this.#patterns?.get(patternPrefix(topic))
    ids?.delete(channelId)
    if (ids?.size === 0) this.#patterns!.delete(patternPrefix(topic))
  }

  /**
   * Exact subscribers plus pattern subscribers, without building a map when
   * there are no patterns. A connection subscribed both ways is delivered once,
   * the way its exact subscription says.
   */
  subscribersOf(topic: string): Subscribers {
    let exact = this.#exact.get(topic)
    if (!exact) {
      exact = new Map(this.store.subscribersOf(topic))
      this.#exact.set(topic, exact)
    }
    const patterns = this.#loadPatterns()
    if (patterns.size === 0) return exact
    let all: Map<string, Delivery> | undefined
    for (const [start, ids] of patterns) {
      if (start === '' || topic.startsWith(start)) {
        all ??= new Map(exact)
        for (const [id, delivery] of ids) if (!all.has(id)) all.set(id, delivery)
      }
    }
    return all ?? exact
  }

  #loadPatterns(): Map<string, Map<string, Delivery>> {
    if (this.#patterns) return this.#patterns
    const patterns = new Map<string, Map<string, Delivery>>()
    for (const [pattern, channelId, delivery] of this.store.patternSubscriptions()) {
      const start = patternPrefix(pattern)
      let ids = patterns.get(start)
      if (!ids) patterns.set(start, (ids = new Map()))
      ids.set(channelId, delivery)
    }
    return (this.#patterns = patterns)
  }
}
