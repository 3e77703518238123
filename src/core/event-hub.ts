import { exceeds } from './bytes'
import { ChannelError } from './errors'
import { PLATFORM_MAX_MESSAGE_SIZE } from './limits'
import { parseWith, type Schema } from './schema'
import { DEFAULT_REPLAY, findTopic, isPattern, matches, topicProblem, type ReplayOptions, type TopicSpec, type TopicTable } from './topics'

/** One event as the replay log keeps it: JSON text, or bytes for binary events. */
export interface LoggedEvent {
  seq: number
  topic: string
  data: string | Uint8Array
  /** Milliseconds since the epoch. */
  at: number
}

/**
 * Where a hub keeps what must survive hibernation: subscriptions (indexed by
 * topic), the sequence, the replay log. Synchronous, like Durable Object SQLite.
 */
export interface HubStore {
  addSubscription(topic: string, channelId: string): boolean
  removeSubscription(topic: string, channelId: string): boolean
  /** Removes every subscription of a connection; returns their topics. */
  removeSubscriptions(channelId: string): string[]
  /** Connections subscribed to exactly this topic (or this exact pattern). */
  subscribersOf(topic: string): string[]
  /** Every pattern subscription, as [pattern, channelId]. */
  patternSubscriptions(): [string, string][]
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

/** Cross-instance fan-out for `global` topics, through a per-topic coordinator. */
export interface GlobalBridge {
  register(key: string): Promise<void>
  unregister(key: string): Promise<void>
  publish(key: string, topic: string, data: unknown): Promise<void>
}

/** A publish, encoded once for every subscriber. */
export interface PreparedEvent {
  topic: string
  seq: number
  data: unknown
  /** The whole `event` frame, for subscribers without channel middleware. */
  frame: string
  /** Binary payload; `frame` is then the header that precedes it. */
  bytes?: Uint8Array
}

/** Sends a prepared event to one subscriber; false if that connection is gone. */
export type Deliver = (channelId: string, event: PreparedEvent) => boolean

export interface PublishOptions {
  /** A connection not to deliver to (the sender, for `skipSender`). */
  skip?: string
}

export interface PublishResult {
  /** The event's sequence number in this instance (absent for global topics, numbered by each instance). */
  seq?: number
  /** Connections it was delivered to in this instance. */
  delivered: number
}

export interface ReplayResult {
  events: LoggedEvent[]
  /** The log no longer reaches back to `since` (or never saw it): refetch state instead. */
  resync: boolean
  /** The newest sequence number in this instance. */
  seq: number
}

/** Topics whose declaration lookups are remembered at once. */
const MAX_REMEMBERED_TOPICS = 1024
/** Sequence numbers are reserved in blocks, so a publish does not write the counter. */
const SEQ_BLOCK = 1024
/** Events the log can hold; larger ones can still be published to topics without replay. */
export const MAX_LOGGED_EVENT_BYTES = 1024 * 1024

/**
 * EventHub for one channel instance: who is subscribed to what, sequence
 * numbers, the replay log, and fan-out. A publish encodes its payload once
 * and costs time in proportion to the topic's subscribers: the subscriber
 * index lives in memory, loaded per topic from the store after a wake, and
 * a publish writes at most its replay log row.
 */
export class EventHub {
  /** Topic -> subscribers, for topics loaded since the last wake. */
  readonly #exact = new Map<string, Set<string>>()
  /** Pattern prefix (`news:`) -> subscribers, loaded on first use. */
  #patterns: Map<string, Set<string>> | undefined
  #seq: number | undefined
  #ceiling = 0
  #logSize: number | undefined
  #trimmed: number | undefined
  readonly #replay: Required<ReplayOptions> | false
  readonly #global: GlobalBridge | undefined
  readonly #now: () => number
  /** Declarations of the topics seen lately: publishing checks the same few over and over. */
  readonly #declarations = new Map<string, { key: string; spec: TopicSpec }>()

  constructor(
    readonly channelName: string,
    readonly topics: TopicTable,
    readonly store: HubStore,
    readonly deliver: Deliver,
    options: { replay?: ReplayOptions | false; global?: GlobalBridge; now?: () => number } = {},
  ) {
    this.#replay = options.replay === false ? false : { ...DEFAULT_REPLAY, ...options.replay }
    this.#global = options.global
    this.#now = options.now ?? Date.now
  }

  /** The declaration governing a topic or pattern; throws a plain Error naming the problem (a server-side mistake). */
  declared(topic: string, allowPattern = false): { key: string; spec: TopicSpec } {
    const known = this.#declarations.get(topic)
    if (known && (allowPattern || !isPattern(topic))) return known
    const problem = topicProblem(topic, allowPattern)
    if (problem) throw new Error(`eventHub: ${problem}`)
    const found = findTopic(this.topics, topic)
    if (!found) throw new Error(`eventHub: topic "${topic}" is not declared on channel "${this.channelName}"; add it to the channel's topics`)
    if (this.#declarations.size >= MAX_REMEMBERED_TOPICS) this.#declarations.clear()
    this.#declarations.set(topic, found)
    return found
  }

  async subscribe(channelId: string, topic: string): Promise<void> {
    const { key, spec } = this.declared(topic, true)
    if (!this.store.addSubscription(topic, channelId)) return
    // Keep loaded index entries current; unloaded ones will be read from the store.
    if (!isPattern(topic)) this.#exact.get(topic)?.add(channelId)
    else if (this.#patterns) {
      const ids = this.#patterns.get(prefix(topic))
      if (ids) ids.add(channelId)
      else this.#patterns.set(prefix(topic), new Set([channelId]))
    }
    if (spec.global && this.#global && this.#governedCount(key) === 1) await this.#global.register(key)
  }

  async unsubscribe(channelId: string, topic: string): Promise<boolean> {
    const { key, spec } = this.declared(topic, true)
    if (!this.store.removeSubscription(topic, channelId)) return false
    this.#forget(topic, channelId)
    if (spec.global && this.#global && this.#governedCount(key) === 0) await this.#global.unregister(key)
    return true
  }

  /** A connection closed: its subscriptions go, and the index shrinks. */
  async drop(channelId: string): Promise<void> {
    const topics = this.store.removeSubscriptions(channelId)
    const emptied = new Set<string>()
    for (const topic of topics) {
      this.#forget(topic, channelId)
      const found = findTopic(this.topics, topic)
      if (found?.spec.global && this.#governedCount(found.key) === 0) emptied.add(found.key)
    }
    if (this.#global) for (const key of emptied) await this.#global.unregister(key)
  }

  /**
   * Publishes to this instance's subscribers, or, for a global topic, to
   * every instance's through the coordinator.
   */
  async publish(topic: string, data: unknown, options: PublishOptions = {}): Promise<PublishResult> {
    const { key, spec } = this.declared(topic)
    const value = spec.schema ? await this.#validate(topic, spec.schema, data) : data
    if (spec.global && this.#global) {
      await this.#global.publish(key, topic, value)
      return { delivered: 0 }
    }
    return this.#deliverHere(topic, spec, value, options)
  }

  /** Delivers an already validated event to this instance's subscribers. */
  publishHere(topic: string, data: unknown, options: PublishOptions = {}): PublishResult {
    return this.#deliverHere(topic, this.declared(topic).spec, data, options)
  }

  #deliverHere(topic: string, spec: TopicSpec, data: unknown, options: PublishOptions): PublishResult {
    const binary = data instanceof Uint8Array ? data : data instanceof ArrayBuffer ? new Uint8Array(data) : undefined
    const json = binary ? undefined : JSON.stringify(data ?? null)
    const logged = this.#replay !== false && spec.replay !== false
    const limit = logged ? MAX_LOGGED_EVENT_BYTES : PLATFORM_MAX_MESSAGE_SIZE - 1024
    if (exceeds(binary ?? json!, limit)) {
      throw new Error(
        `eventHub: an event for "${topic}" is larger than ${limit} bytes${logged ? ', the limit for events kept for replay (set replay: false on the topic for larger ones)' : ', the platform limit'}`,
      )
    }

    const seq = this.#nextSeq()
    const event = prepareEvent(topic, seq, binary ?? json!, binary ? binary : (data ?? null))
    if (logged) this.#log({ seq, topic, data: binary ?? json!, at: this.#now() })

    let delivered = 0
    for (const channelId of this.#subscribersOf(topic)) {
      if (channelId === options.skip) continue
      if (this.deliver(channelId, event)) delivered++
      else void this.drop(channelId) // a subscription that outlived its socket
    }
    return { seq, delivered }
  }

  /** Events of `subscription` after `since`, or a resync when the log does not reach back that far. */
  replay(subscription: string, since: number): ReplayResult {
    const { spec } = this.declared(subscription, true)
    const seq = this.head()
    if (this.#replay === false || spec.replay === false) return { events: [], resync: since !== seq, seq }
    this.#trim()
    if (!Number.isInteger(since) || since < this.#trimmedThrough() || since > seq) return { events: [], resync: true, seq }
    const events = this.store.eventsAfter(since).filter((event) => matches(subscription, event.topic))
    return { events, resync: false, seq }
  }

  /** The newest sequence number handed out (or reserved before the last wake). */
  head(): number {
    this.#loadSeq()
    return this.#seq!
  }

  /** Binary payloads skip the schema: it describes JSON events. */
  async #validate(topic: string, schema: Schema, data: unknown): Promise<unknown> {
    if (data instanceof Uint8Array || data instanceof ArrayBuffer) return data
    try {
      return await parseWith(schema, data, `Event for "${topic}"`)
    } catch (error) {
      // The publisher's bug, not the subscriber's: report it as a server error.
      if (error instanceof ChannelError) throw new Error(`eventHub: ${error.message}`)
      throw error
    }
  }

  /**
   * Subscriptions this instance holds that a declaration governs: those under
   * a narrower declaration of their own do not count (they have no coordinator here).
   */
  #governedCount(key: string): number {
    let count = 0
    for (const topic of this.store.topicsUnder(key)) {
      if (findTopic(this.topics, topic)?.key === key) count += this.store.subscribersOf(topic).length
    }
    return count
  }

  /** Exact subscribers plus pattern subscribers, without building a set when there are no patterns. */
  #subscribersOf(topic: string): Iterable<string> {
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
      const start = prefix(pattern)
      let ids = patterns.get(start)
      if (!ids) patterns.set(start, (ids = new Set()))
      ids.add(channelId)
    }
    return (this.#patterns = patterns)
  }

  #forget(topic: string, channelId: string): void {
    if (!isPattern(topic)) {
      this.#exact.get(topic)?.delete(channelId)
      return
    }
    const ids = this.#patterns?.get(prefix(topic))
    ids?.delete(channelId)
    if (ids?.size === 0) this.#patterns!.delete(prefix(topic))
  }

  #loadSeq(): void {
    if (this.#seq !== undefined) return
    this.#ceiling = this.store.seqCeiling()
    // Numbers up to the old ceiling may have been used before the wake: continue above it.
    this.#seq = this.#ceiling
  }

  #nextSeq(): number {
    this.#loadSeq()
    const seq = ++this.#seq!
    if (seq > this.#ceiling) {
      this.#ceiling = seq + SEQ_BLOCK - 1
      this.store.setSeqCeiling(this.#ceiling)
    }
    return seq
  }

  #log(event: LoggedEvent): void {
    const replay = this.#replay as Required<ReplayOptions>
    this.#logSize = (this.#logSize ?? this.store.logSize()) + 1
    this.store.appendEvent(event)
    // Trim in batches, not on every publish.
    if (this.#logSize > replay.count + Math.max(16, replay.count >> 3)) this.#trim()
  }

  #trim(): void {
    const replay = this.#replay as Required<ReplayOptions>
    const forgotten = this.store.trim(replay.count, this.#now() - replay.maxAgeMs)
    this.#logSize = undefined
    if (forgotten > this.#trimmedThrough()) {
      this.#trimmed = forgotten
      this.store.setTrimmedThrough(forgotten)
    }
  }

  #trimmedThrough(): number {
    return (this.#trimmed ??= this.store.trimmedThrough())
  }
}

/**
 * Encodes an event once: the whole `event` frame around already-encoded JSON,
 * or, for bytes, the header frame that precedes them.
 */
function prepareEvent(topic: string, seq: number, payload: string | Uint8Array, data: unknown): PreparedEvent {
  const head = `{"type":"event","topic":${JSON.stringify(topic)}`
  return typeof payload === 'string'
    ? { topic, seq, data, frame: `${head},"data":${payload},"seq":${seq}}` }
    : { topic, seq, data: payload, bytes: payload, frame: `${head},"seq":${seq},"binary":true}` }
}

/** An event from the replay log, as it was first sent (`data` decoded only when channel middleware needs it). */
export function replayedEvent(logged: LoggedEvent, decode: boolean): PreparedEvent {
  const data = typeof logged.data === 'string' ? (decode ? JSON.parse(logged.data) : undefined) : logged.data
  return prepareEvent(logged.topic, logged.seq, logged.data, data)
}

/** `news:*` -> `news:`, `*` -> `` (everything). */
function prefix(pattern: string): string {
  return pattern.slice(0, -1)
}

