import { isPattern, patternPrefix } from '../protocol/topics'
import type { HubStore } from './hub-store'

/**
 * Who is subscribed to what, in memory, in front of the store: a publish
 * costs time in proportion to its topic's subscribers, not to all of them.
 * Topics are loaded from the store on first use after a wake; patterns all
 * at once (there are few).
 */
export class SubscriberIndex {
  /** Topic -> subscribers, for topics loaded since the last wake. */
  readonly #exact = new Map<string, Set<string>>()
  /** Pattern prefix (`news:`) -> subscribers, loaded on first use. */
  #patterns: Map<string, Set<string>> | undefined

  constructor(private readonly store: HubStore) {}

  /** Keeps loaded entries current after the store gained a subscription; unloaded ones will be read from the store. */
  added(topic: string, channelId: string): void {
    if (!isPattern(topic)) {
      this.#exact.get(topic)?.add(channelId)
      return
    }
    if (!this.#patterns) return
    const ids = this.#patterns.get(patternPrefix(topic))
    if (ids) ids.add(channelId)
    else this.#patterns.set(patternPrefix(topic), new Set([channelId]))
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

  /** Exact subscribers plus pattern subscribers, without building a set when there are no patterns. */
  subscribersOf(topic: string): Iterable<string> {
    let exact = this.#exact.get(topic)
    if (!exact) {
      exact = new Set(this.store.subscribersOf(topic))
      this.#exact.set(topic, exact)
    }
    const patterns = this.#loadPatterns()
    if (patterns.size === 0) return exact
    let all: Set<string> | undefined
    for (const [start, ids] of patterns) {
      if (start === '' || topic.startsWith(start)) {
        all ??= new Set(exact)
        for (const id of ids) all.add(id)
      }
    }
    return all ?? exact
  }

  #loadPatterns(): Map<string, Set<string>> {
    if (this.#patterns) return this.#patterns
    const patterns = new Map<string, Set<string>>()
    for (const [pattern, channelId] of this.store.patternSubscriptions()) {
      const start = patternPrefix(pattern)
      let ids = patterns.get(start)
      if (!ids) patterns.set(start, (ids = new Set()))
      ids.add(channelId)
    }
    return (this.#patterns = patterns)
  }
}
