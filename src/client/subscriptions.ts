import type { SubscribeInput, SubscribeReply } from '../core/protocol/frames'
import { matches } from '../core/protocol/topics'
import { ChannelClientError } from './client-error'
import { deferred, type Deferred } from './deferred'
import type { Requests } from './requests'
import type { ConnectionState, EventMeta } from './types'

export interface SubscribeOptions {
  /** Resume after this sequence number (events after it are replayed if the server still has them). */
  since?: number
  /** The server's log no longer reaches back to what this subscription last saw: refetch state. */
  onResync?: () => void
  /** The server refused the subscription (for example `FORBIDDEN`). */
  onError?: (error: ChannelClientError) => void
}

export interface Subscription {
  /** Resolves when the server first acknowledged the subscription. */
  readonly ready: Promise<void>
  unsubscribe(): void
}

/** `any`, not `unknown`: each callback's payload type was checked by `subscribe`, and entries of every topic live together here. */
type EventCallback = (data: any, meta: EventMeta) => void

/** One topic or pattern the client is subscribed to: one server subscription, shared by all its callbacks. */
interface SubscriptionEntry {
  topic: string
  callbacks: Set<EventCallback>
  /** The last sequence number seen; deliveries at or below it are duplicates. */
  lastSeq: number | undefined
  options: SubscribeOptions
  acknowledged: boolean
  ready: Deferred<void>
  /**
   * While a resubscription with `since` is in flight, events are held here:
   * live ones may overtake the replay, and the reply says when the replay is
   * complete. They are then delivered in sequence order, once each.
   */
  held: { meta: EventMeta; data: unknown }[] | undefined
}

/**
 * The client's subscriptions. They outlive connections: each is sent again
 * after every welcome with `since` = the last `seq` it saw, so that what was
 * published meanwhile is replayed, merged with live events, and delivered
 * once and in order.
 */
export class Subscriptions {
  readonly #entries = new Map<string, SubscriptionEntry>()
  readonly #requests: Requests
  readonly #state: () => ConnectionState

  constructor(requests: Requests, state: () => ConnectionState) {
    this.#requests = requests
    this.#state = state
  }

  /** Adds a callback for a topic or pattern; the first one for it subscribes on the server (now if open, else at the welcome). */
  add(topic: string, callback: EventCallback, options: SubscribeOptions): Subscription {
    if (this.#state() === 'closed') {
      const ready = deferred<void>()
      ready.reject(new ChannelClientError('CLOSED', 'The client is closed'))
      return { ready: ready.promise, unsubscribe: () => undefined }
    }
    let entry = this.#entries.get(topic)
    if (!entry) {
      entry = { topic, callbacks: new Set(), lastSeq: options.since, options, acknowledged: false, ready: deferred<void>(), held: undefined }
      this.#entries.set(topic, entry)
      if (this.#state() === 'open') this.#sendSubscribe(entry)
    }
    const subscription = entry
    subscription.callbacks.add(callback)
    return {
      ready: subscription.ready.promise,
      unsubscribe: () => {
        subscription.callbacks.delete(callback)
        if (subscription.callbacks.size > 0 || this.#entries.get(topic) !== subscription) return
        this.#entries.delete(topic)
        // While disconnected there is nothing to undo: the next welcome simply does not resubscribe it.
        if (this.#state() === 'open') this.#requests.send('$unsubscribe', { topic }).catch(() => undefined)
      },
    }
  }

  /** A welcome: every subscription is sent again (resuming where it left off). */
  resubscribe(): void {
    for (const entry of this.#entries.values()) this.#sendSubscribe(entry)
  }

  /** Delivers an event once to each matching subscription, skipping what it has seen (replays after a reconnect). */
  dispatch(meta: EventMeta, data: unknown): void {
    for (const entry of this.#entries.values()) {
      if (!matches(entry.topic, meta.topic)) continue
      if (entry.held) entry.held.push({ meta, data })
      else this.#deliver(entry, meta, data)
    }
  }

  /** The client is closed for good: a subscription never acknowledged rejects its `ready` (an acknowledged one stays resolved). */
  rejectUnacknowledged(error: ChannelClientError): void {
    for (const entry of this.#entries.values()) if (!entry.acknowledged) entry.ready.reject(error)
  }

  #deliver(entry: SubscriptionEntry, meta: EventMeta, data: unknown): void {
    if (entry.lastSeq !== undefined && meta.seq <= entry.lastSeq) return
    entry.lastSeq = meta.seq
    for (const callback of entry.callbacks) callback(data, meta)
  }

  #sendSubscribe(entry: SubscriptionEntry): void {
    const resuming = entry.lastSeq !== undefined
    entry.held = resuming ? [] : undefined
    const input: SubscribeInput = resuming ? { topic: entry.topic, since: entry.lastSeq } : { topic: entry.topic }
    const release = () => {
      const held = entry.held ?? []
      entry.held = undefined
      for (const { meta, data } of held.sort((a, b) => a.meta.seq - b.meta.seq)) this.#deliver(entry, meta, data)
    }
    this.#requests.send('$subscribe', input).then(
      (reply) => {
        const { seq, resync } = reply as SubscribeReply
        if (resync) {
          // The log does not reach back: what was missed is gone. Start over from here.
          entry.held = undefined
          entry.lastSeq = seq
          entry.options.onResync?.()
        } else {
          release()
          // Everything up to the head has now been delivered, replayed or live.
          entry.lastSeq = Math.max(entry.lastSeq ?? seq, seq)
        }
        if (!entry.acknowledged) {
          entry.acknowledged = true
          entry.ready.resolve()
        }
      },
      (error: ChannelClientError) => {
        entry.held = undefined
        if (error.code === 'DISCONNECTED' || error.code === 'CLOSED') {
          if (error.code === 'CLOSED') entry.ready.reject(error)
          return // resent on the next welcome
        }
        this.#entries.delete(entry.topic)
        entry.ready.reject(error)
        entry.options.onError?.(error)
      },
    )
  }
}
