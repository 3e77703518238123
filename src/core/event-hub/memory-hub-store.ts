import { isPattern, matches } from '../protocol/topics'
import type { Delivery, HubStore, LoggedEvent } from './hub-store'

/** A `HubStore` in memory: the test double of the SQLite store, held to the same contract suite. */
export class MemoryHubStore implements HubStore {
  /** Topic -> channel id -> how it is delivered. */
  readonly subscriptions = new Map<string, Map<string, Delivery>>()
  readonly events: LoggedEvent[] = []
  ceiling = 0
  trimmed = 0

  addSubscription(topic: string, channelId: string, delivery: Delivery): boolean {
    let ids = this.subscriptions.get(topic)
    if (!ids) this.subscriptions.set(topic, (ids = new Map()))
    if (ids.get(channelId) === delivery) return false
    ids.set(channelId, delivery)
    return true
  }

  removeSubscription(topic: string, channelId: string): boolean {
    const ids = this.subscriptions.get(topic)
    const removed = ids?.delete(channelId) ?? false
    if (ids?.size === 0) this.subscriptions.delete(topic)
    return removed
  }

  removeSubscriptions(channelId: string): string[] {
    const topics = [...this.subscriptions].filter(([, ids]) => ids.has(channelId)).map(([topic]) => topic)
    for (const topic of topics) this.removeSubscription(topic, channelId)
    return topics
  }

  hasSubscription(topic: string, channelId: string): boolean {
    return this.subscriptions.get(topic)?.has(channelId) ?? false
  }

  countSubscriptions(channelId?: string): number {
    let count = 0
    for (const ids of this.subscriptions.values()) count += channelId === undefined ? ids.size : Number(ids.has(channelId))
    return count
  }

  subscribersOf(topic: string): [string, Delivery][] {
    return [...(this.subscriptions.get(topic) ?? [])]
  }

  patternSubscriptions(): [string, string, Delivery][] {
    return [...this.subscriptions].filter(([topic]) => isPattern(topic)).flatMap(([topic, ids]) => [...ids].map(([id, delivery]): [string, string, Delivery] => [topic, id, delivery]))
  }

  topicsUnder(key: string): string[] {
    return [...this.subscriptions.keys()].filter((topic) => matches(key, topic))
  }

  seqCeiling(): number {
    return this.ceiling
  }

  setSeqCeiling(seq: number): void {
    this.ceiling = seq
  }

  appendEvent(event: LoggedEvent): void {
    this.events.push(event)
  }

  eventsAfter(seq: number): LoggedEvent[] {
    return this.events.filter((event) => event.seq > seq)
  }

  logSize(): number {
    return this.events.length
  }

  trim(count: number, notBefore: number): number {
    let forgotten = 0
    while (this.events.length > 0 && (this.events.length > count || this.events[0]!.at < notBefore)) forgotten = this.events.shift()!.seq
    return forgotten
  }

  trimmedThrough(): number {
    return this.trimmed
  }

  setTrimmedThrough(seq: number): void {
    this.trimmed = seq
  }
}
