/** One event as the replay log keeps it: JSON text, or bytes for binary events. */
export interface LoggedEvent {
  seq: number
  topic: string
  data: string | Uint8Array
  /** Milliseconds since the epoch. */
  at: number
}

/**
 * How a subscription is delivered: as an `event` frame (`$subscribe`,
 * `eventHub.subscribe(topic)`), or as a `message` frame, the way the seed's
 * `eventHub.subscribe(topic, data => channel.send(data))` sends it.
 */
export type Delivery = 'event' | 'message'

/**
 * Where a hub keeps what must survive hibernation: subscriptions (indexed by
 * topic and by connection), the sequence ceiling, the replay log.
 * Synchronous, like Durable Object SQLite; `MemoryHubStore` is the in-memory
 * double, and one contract suite runs against both.
 */
export interface HubStore {
  /** False if it was already there, delivered the same way. */
  addSubscription(topic: string, channelId: string, delivery: Delivery): boolean
  /** False if it was not there. */
  removeSubscription(topic: string, channelId: string): boolean
  /** Removes every subscription of a connection; returns their topics. */
  removeSubscriptions(channelId: string): string[]
  /** Whether a connection holds exactly this subscription (a topic, or a pattern as subscribed). */
  hasSubscription(topic: string, channelId: string): boolean
  /** Subscriptions one connection holds, or, without one, every subscription stored. */
  countSubscriptions(channelId?: string): number
  /** Connections subscribed to exactly this topic (or this exact pattern), with how each is delivered. */
  subscribersOf(topic: string): [channelId: string, delivery: Delivery][]
  /** Every pattern subscription. */
  patternSubscriptions(): [pattern: string, channelId: string, delivery: Delivery][]
  /** Distinct topics and patterns with subscriptions, equal to `key` or under a `prefix:*` key. */
  topicsUnder(key: string): string[]
  /** No sequence number above this has been used. */
  seqCeiling(): number
  setSeqCeiling(seq: number): void
  appendEvent(event: LoggedEvent): void
  /** Logged events with a sequence above `seq`, oldest first. */
  eventsAfter(seq: number): LoggedEvent[]
  logSize(): number
  /** Forgets events beyond the newest `count` and older than `notBefore`; returns the highest sequence forgotten (0 if none). */
  trim(count: number, notBefore: number): number
  /** Every event at or below this sequence may be gone from the log. */
  trimmedThrough(): number
  setTrimmedThrough(seq: number): void
}
