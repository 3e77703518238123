import { ChannelError } from '../errors'
import { DEFAULT_SUBSCRIPTION_CAPS, PLATFORM_MAX_MESSAGE_SIZE, type SubscriptionCaps } from '../limits'
import { isPattern, topicProblem } from '../protocol/topics'
import { checkEventDepth, checkEventSize, eventPayload, validateEvent } from './event-checks'
import type { GlobalBridge } from './global-bridge'
import type { Delivery, HubStore } from './hub-store'
import { prepareEvent, type PreparedEvent } from './prepared-event'
import { ReplayLog, type ReplayResult } from './replay-log'
import { SubscriberIndex } from './subscriber-index'
import type { PublishResult } from '../types'
import type { ShardEvent, ShardLink } from '../shards/shard-link'
import { findTopic, type ReplayOptions, type TopicDeclaration, type TopicSpec, type TopicTable } from './topics'

/** What a fan-out here did, with the payload as encoded once (the owner of a sharded channel sends it on). */
type FanOut = { seq: number; delivered: number; payload: string | Uint8Array }

/** Sends a prepared event to one subscriber, the way it subscribed; false if that connection is gone. */
export type Deliver = (channelId: string, event: PreparedEvent, delivery: Delivery) => boolean

export interface PublishOptions {
  /** A connection not to deliver to (the sender, for `skipSender`). */
  skip?: string
}


export interface EventHubOptions {
  /** The channel's replay log; defaults apply when absent, `false` keeps none. */
  replay?: ReplayOptions | false | undefined
  /** Cross-instance fan-out for `global` topics; without it they stay local. */
  global?: GlobalBridge | undefined
  /** The channel's `maxSubscriptions` and `maxInstanceSubscriptions`. */
  subscriptionCaps?: SubscriptionCaps
  /** The channel's `maxMessageSize`: no event larger than a subscriber may send is pushed to one. Default: the platform's limit. */
  maxEventBytes?: number
  /** On a sharded channel: the other shards, and whether this one is the owner that numbers events. */
  shards?: ShardLink | undefined
  /** A connection's new subscription was stored: the runtime keeps that connection on its ledger, to release it after a crash. */
  onStored?: (channelId: string) => void
  now?: () => number
}

/** How a topic the channel does not declare behaves: no schema, local, replayed like the channel's others. */
const UNDECLARED: TopicSpec = Object.freeze({})

/** Topics whose declaration lookups are remembered at once. */
const MAX_REMEMBERED_TOPICS = 1024
/** Events the log can hold; larger ones can still be published to topics without replay. */
export const MAX_LOGGED_EVENT_BYTES = 1024 * 1024

/**
 * EventHub for one channel instance: subscriptions, publish and fan-out, and
 * replay. A publish encodes its payload once and costs time in proportion to
 * the topic's subscribers, and writes at most its replay log row.
 */
export class EventHub {
  readonly #index: SubscriberIndex
  readonly #log: ReplayLog
  readonly #global: GlobalBridge | undefined
  readonly #now: () => number
  readonly #maxEventBytes: number
  readonly #maxEventWhy: string
  readonly #caps: SubscriptionCaps
  /** Every connection's subscriptions together; unknown until the first subscribe after a wake. */
  #stored: number | undefined
  /** Declarations of the topics seen lately: publishing checks the same few over and over. */
  readonly #declarations = new Map<string, TopicDeclaration>()

  readonly #onStored: ((channelId: string) => void) | undefined
  readonly #shards: ShardLink | undefined
  /** A shard other than the owner: the newest sequence number the owner sent it this wake. */
  #seen = 0

  constructor(
    readonly channelName: string,
    readonly topics: TopicTable,
    readonly store: HubStore,
    readonly deliver: Deliver,
    options: EventHubOptions = {},
  ) {
    this.#now = options.now ?? Date.now
    this.#onStored = options.onStored
    // A frame's envelope must fit beside the payload under the platform's limit.
    const platform = PLATFORM_MAX_MESSAGE_SIZE - 1024
    this.#maxEventBytes = Math.min(options.maxEventBytes ?? platform, platform)
    this.#maxEventWhy = this.#maxEventBytes < platform ? "this channel's maxMessageSize" : 'the platform limit'
    this.#caps = options.subscriptionCaps ?? DEFAULT_SUBSCRIPTION_CAPS
    this.#index = new SubscriberIndex(store)
    this.#log = new ReplayLog(store, options.replay, this.#now)
    this.#global = options.global
    this.#shards = options.shards
  }

  /** A shard other than the owner: its events are numbered, logged and fanned out by the owner. */
  get #follower(): boolean {
    return this.#shards !== undefined && this.#shards.index !== 0
  }

  /**
   * The declaration governing a topic or pattern. Server code may use topics
   * the channel does not declare, as in Pikku: they stay in this instance,
   * have no schema, and are logged under the channel's replay settings.
   * A malformed topic is refused with `INVALID_INPUT` before anything happens.
   */
  declarationOf(topic: string, allowPattern = false): TopicDeclaration {
    const known = this.#declarations.get(topic)
    if (known && (allowPattern || !isPattern(topic))) return known
    const problem = topicProblem(topic, allowPattern)
    if (problem) throw new ChannelError('INVALID_INPUT', `eventHub: ${problem}`)
    const declaration = findTopic(this.topics, topic) ?? { key: topic, spec: UNDECLARED }
    if (this.#declarations.size >= MAX_REMEMBERED_TOPICS) this.#declarations.clear()
    this.#declarations.set(topic, declaration)
    return declaration
  }

  /** Subscribes a connection to a topic or pattern (stored, so it survives hibernation). */
  async subscribe(channelId: string, topic: string, delivery: Delivery = 'event'): Promise<void> {
    const { key, spec } = this.declarationOf(topic, true)
    // Subscribing again (to replay with since, or to change delivery) is not one more subscription.
    const isNew = !this.store.hasSubscription(topic, channelId)
    if (isNew) this.#admitSubscription(channelId)
    if (!this.store.addSubscription(topic, channelId, delivery)) return
    if (isNew) {
      this.#stored = this.#storedCount() + 1
      this.#onStored?.(channelId)
    }
    this.#index.added(topic, channelId, delivery)
    if (!spec.global || !this.#global) return
    if (this.#subscribersGovernedBy(key) === 1) await this.#global.register(key)
    // The coordinator may have dropped this instance for failed deliveries; a new subscriber brings it back.
    else if (isNew) this.#global.renew(key)
  }

  /** Unsubscribes a connection; false if it was not subscribed. */
  async unsubscribe(channelId: string, topic: string): Promise<boolean> {
    const { key, spec } = this.declarationOf(topic, true)
    if (!this.store.removeSubscription(topic, channelId)) return false
    if (this.#stored !== undefined) this.#stored--
    this.#index.removed(topic, channelId)
    if (spec.global && this.#global && this.#subscribersGovernedBy(key) === 0) await this.#global.unregister(key)
    return true
  }

  /** Whether a connection holds this exact subscription (a topic, or a pattern as subscribed). */
  holds(channelId: string, subscription: string): boolean {
    return this.store.hasSubscription(subscription, channelId)
  }

  /** A connection closed: its subscriptions go, and the index shrinks. */
  async dropConnection(channelId: string): Promise<void> {
    const emptied = new Set<string>()
    const removed = this.store.removeSubscriptions(channelId)
    if (this.#stored !== undefined) this.#stored -= removed.length
    for (const topic of removed) {
      this.#index.removed(topic, channelId)
      const found = findTopic(this.topics, topic)
      if (found?.spec.global && this.#subscribersGovernedBy(found.key) === 0) emptied.add(found.key)
    }
    if (this.#global) for (const key of emptied) await this.#global.unregister(key)
  }

  /**
   * Publishes to this instance's subscribers, or, for a global topic, to
   * every instance's through the coordinator (skipping the sender there too).
   * On a sharded channel the owner numbers it and every shard delivers it.
   */
  async publish(topic: string, data: unknown, options: PublishOptions = {}): Promise<PublishResult> {
    const { key, spec } = this.declarationOf(topic)
    checkEventDepth(topic, data)
    const value = spec.schema ? await validateEvent(topic, spec.schema, data) : data
    if (spec.global && this.#global) {
      // Refused here, to the publisher, rather than in every instance it would reach.
      this.#checkSize(topic, eventPayload(value), this.#logs(spec))
      // From memory: whether this instance's own subscribers hold the topic, so a dropped instance comes back.
      await this.#global.publish(key, topic, value, options.skip, this.#index.subscribersOf(topic).size > 0)
      return { delivered: 0 }
    }
    if (this.#follower) {
      this.#checkSize(topic, eventPayload(value), this.#logs(spec))
      return this.#shards!.publishOnOwner(topic, value, options.skip)
    }
    return this.#publishHere(topic, spec, value, options)
  }

  /** Delivers an event already validated elsewhere to this object's subscribers, numbered here. */
  async deliverLocal(topic: string, data: unknown, options: PublishOptions = {}): Promise<PublishResult> {
    const { seq, delivered } = this.#fanOut(topic, this.declarationOf(topic).spec, data, options)
    return { seq, delivered }
  }

  /**
   * Delivers an event already validated elsewhere (a global topic's
   * coordinator, another shard's publish) to the whole instance: this
   * object's subscribers and, on a sharded channel's owner, every shard's.
   */
  deliverToInstance(topic: string, data: unknown, options: PublishOptions = {}): Promise<PublishResult> {
    return this.#publishHere(topic, this.declarationOf(topic).spec, data, options)
  }

  /** A shard other than the owner: an event the owner numbered, delivered to this shard's subscribers; how many got it. */
  deliverNumbered(event: ShardEvent): number {
    if (event.seq > this.#seen) this.#seen = event.seq
    // Without the decoded data: channel middleware, if any, parses the JSON text once.
    return this.#deliverAll(prepareEvent(event.topic, event.seq, event.payload), event.skip)
  }

  /** Events of `subscription` after `since` in this object's log, or a resync when the log does not reach back that far. */
  replay(subscription: string, since: number): ReplayResult {
    const { spec } = this.declarationOf(subscription, true)
    return this.#log.replay(subscription, since, spec.replay !== false)
  }

  /** The newest sequence number this object handed out (or reserved before the last wake). */
  head(): number {
    return this.#log.head()
  }

  /** `replay` from the instance's log: the owner's, on a sharded channel. */
  instanceReplay(subscription: string, since: number): ReplayResult | Promise<ReplayResult> {
    return this.#follower ? this.#shards!.replayOnOwner(subscription, since) : this.replay(subscription, since)
  }

  /** `head` of the instance: the owner's, on a sharded channel. */
  instanceHead(): number | Promise<number> {
    if (!this.#follower) return this.head()
    // The owner sends every shard every event, so the newest seen is its head; after a wake, ask it.
    return this.#seen > 0 ? this.#seen : this.#shards!.headOnOwner()
  }

  /** Numbers, logs and delivers here, then (as a sharded channel's owner) on every other shard. */
  async #publishHere(topic: string, spec: TopicSpec, data: unknown, options: PublishOptions): Promise<PublishResult> {
    const { seq, delivered, payload } = this.#fanOut(topic, spec, data, options)
    if (!this.#shards) return { seq, delivered }
    return { seq, delivered: delivered + (await this.#shards.deliverToOthers({ topic, seq, payload, skip: options.skip })) }
  }

  /**
   * Numbers, logs and delivers here, in one turn: the log row commits with
   * the turn's other writes, and the platform holds the deliveries until it has.
   */
  #fanOut(topic: string, spec: TopicSpec, data: unknown, options: PublishOptions): FanOut {
    const payload = eventPayload(data)
    const bytes = typeof payload === 'string' ? undefined : payload
    const logged = this.#logs(spec)
    this.#checkSize(topic, payload, logged)

    const seq = this.#log.next()
    const event = prepareEvent(topic, seq, payload, bytes ? undefined : (data ?? null))
    if (logged) this.#log.append({ seq, topic, data: payload, at: this.#now() })
    return { seq, delivered: this.#deliverAll(event, options.skip), payload }
  }

  /** One prepared event to every subscriber of its topic here but `skip`. */
  #deliverAll(event: PreparedEvent, skip: string | undefined): number {
    let delivered = 0
    for (const [channelId, delivery] of this.#index.subscribersOf(event.topic)) {
      if (channelId === skip) continue
      if (this.deliver(channelId, event, delivery)) delivered++
      else void this.dropConnection(channelId) // a subscription that outlived its socket
    }
    return delivered
  }

  /** Refuses one more subscription over the channel's caps, with `LIMIT_REACHED` naming the setting. */
  #admitSubscription(channelId: string): void {
    const { perConnection, perInstance } = this.#caps
    if (this.store.countSubscriptions(channelId) >= perConnection) {
      throw new ChannelError('LIMIT_REACHED', `This connection holds its maximum of ${perConnection} subscriptions (the channel's maxSubscriptions); unsubscribe from one first, or subscribe to a pattern`)
    }
    if (this.#storedCount() >= perInstance) {
      throw new ChannelError('LIMIT_REACHED', `This channel instance stores its maximum of ${perInstance} subscriptions (the channel's maxInstanceSubscriptions)`)
    }
  }

  /** Subscriptions stored for every connection: counted once per wake, then kept current. */
  #storedCount(): number {
    return (this.#stored ??= this.store.countSubscriptions())
  }

  #logs(spec: TopicSpec): boolean {
    return this.#log.options !== false && spec.replay !== false
  }

  /** An event no subscriber may be sent, or one too large for the replay log, is the publisher's to fix. */
  #checkSize(topic: string, payload: string | Uint8Array, logged: boolean): void {
    if (logged && this.#maxEventBytes > MAX_LOGGED_EVENT_BYTES) {
      checkEventSize(topic, payload, MAX_LOGGED_EVENT_BYTES, 'the limit for events kept for replay (set replay: false on the topic for larger ones)')
    }
    checkEventSize(topic, payload, this.#maxEventBytes, this.#maxEventWhy)
  }

  /**
   * Subscriptions this instance holds that a declaration governs: those under
   * a narrower declaration of their own do not count (they have no coordinator here).
   */
  #subscribersGovernedBy(key: string): number {
    let count = 0
    for (const topic of this.store.topicsUnder(key)) {
      if (findTopic(this.topics, topic)?.key === key) count += this.store.subscribersOf(topic).length
    }
    return count
  }
}
