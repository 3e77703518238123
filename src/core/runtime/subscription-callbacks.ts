import { matches } from '../protocol/topics'

/** What the seed passes to `eventHub.subscribe(topic, callback)`. */
export type SubscriptionCallback = (data: unknown) => unknown

/**
 * The callbacks of the seed's `eventHub.subscribe(topic, data => channel.send(data))`,
 * held per connection for this wake only: a closure cannot outlive
 * hibernation. The subscription itself is stored like any other (delivered as
 * `message` frames); after a wake, with the callback gone, a delivery is sent
 * the way the seed's callback sends it, as `channel.send(data)`.
 */
export class SubscriptionCallbacks {
  readonly #byConnection = new Map<string, Map<string, SubscriptionCallback>>()

  set(channelId: string, subscription: string, callback: SubscriptionCallback): void {
    let callbacks = this.#byConnection.get(channelId)
    if (!callbacks) this.#byConnection.set(channelId, (callbacks = new Map()))
    callbacks.set(subscription, callback)
  }

  delete(channelId: string, subscription: string): void {
    this.#byConnection.get(channelId)?.delete(subscription)
  }

  /** A closed connection's callbacks go with it. */
  release(channelId: string): void {
    this.#byConnection.delete(channelId)
  }

  /** The callback for `topic` on a connection: its exact subscription's, else a matching pattern's. */
  find(channelId: string, topic: string): SubscriptionCallback | undefined {
    const callbacks = this.#byConnection.get(channelId)
    if (!callbacks) return undefined
    const exact = callbacks.get(topic)
    if (exact) return exact
    for (const [subscription, callback] of callbacks) if (matches(subscription, topic)) return callback
    return undefined
  }
}
