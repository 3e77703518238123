import { exceeds } from '../bytes'
import { EventHubError } from '../errors'
import type { Delivery } from '../event-hub/hub-store'
import { eventData, type PreparedEvent } from '../event-hub/prepared-event'
import type { ErrorPayload } from '../protocol/frames'
import type { WireFormat } from '../protocol/wire-format'
import type { ChannelEvent, ChannelServices, PikkuChannelMiddleware } from '../types'
import { runChannelMiddleware } from './channel-middleware'
import type { Connection } from './connection'
import type { SubscriptionCallbacks } from './subscription-callbacks'

/** What the outbound path needs from the runtime. */
export interface OutboundHost {
  servicesOf(conn: Connection): ChannelServices
  /** Reports a failure (logging what is unexpected) and says what the client may see of it. */
  report(error: unknown, conn: Connection, where: string): ErrorPayload
}

const textEncoder = new TextEncoder()

/**
 * Everything a connection is sent as a reply, a message or an event: straight
 * to the socket when the channel has no channel middleware, otherwise through
 * it, in order with everything else the connection is sent. This is the one
 * place that knows whether a channel has channel middleware; channel
 * middleware sees the same `ChannelEvent`s in every wire mode, and the
 * channel's `WireFormat` encodes what it passes on, last.
 */
export class Outbound {
  readonly #middleware: readonly PikkuChannelMiddleware[]
  readonly #callbacks: SubscriptionCallbacks
  readonly #host: OutboundHost
  readonly #wire: WireFormat

  constructor(middleware: readonly PikkuChannelMiddleware[], callbacks: SubscriptionCallbacks, wire: WireFormat, host: OutboundHost) {
    this.#middleware = middleware
    this.#callbacks = callbacks
    this.#wire = wire
    this.#host = host
  }

  /** `channel.send`: JSON as a message (through channel middleware), or raw bytes. */
  message(conn: Connection, data: unknown, isBinary: boolean): void | Promise<void> {
    if (!isBinary) return this.send(conn, { type: 'message', data })
    if (typeof data === 'string') return conn.send(textEncoder.encode(data))
    if (data instanceof ArrayBuffer || ArrayBuffer.isView(data)) return conn.send(data)
    throw new TypeError('channel.send(data, true) needs an ArrayBuffer, a typed array or a string')
  }

  /** Sends a reply or a message (or an event built by hand). */
  send(conn: Connection, event: ChannelEvent): void | Promise<void> {
    if (this.#middleware.length === 0) {
      try {
        return conn.send(this.#wire.encode(event))
      } catch (error) {
        return this.#unsendable(conn, event, error)
      }
    }
    return conn.enqueue(async () => {
      try {
        const events = await runChannelMiddleware(this.#middleware, this.#host.servicesOf(conn), event)
        return events.map((each) => this.#wire.encode(each))
      } catch (error) {
        this.#unsendable(conn, event, error)
        return []
      }
    })
  }

  /**
   * Sends an EventHub delivery the way the connection subscribed: an event
   * (encoded once for all subscribers unless channel middleware must see it;
   * a binary event it never sees), or, for a callback subscription, its
   * callback while it is in memory, else what the seed's callback does:
   * `channel.send(data)`.
   */
  deliver(conn: Connection, event: PreparedEvent, delivery: Delivery): void {
    // EventHub refuses events over the channel's own limit; a connection held to a smaller one by channels() is checked here.
    const limit = conn.record.limits.maxMessageSize
    if (exceeds(event.bytes ?? event.json ?? event.frame, limit)) {
      this.#host.report(new EventHubError(`an event for "${event.topic}" is larger than ${limit} bytes, this connection's maxMessageSize; it was not sent`), conn, 'delivering an event')
      return
    }
    if (delivery === 'message') return this.#deliverAsMessage(conn, event)
    if (event.bytes || this.#middleware.length === 0) this.#wire.event(event, conn)
    else void this.send(conn, { type: 'event', topic: event.topic, data: eventData(event), seq: event.seq })
  }

  #deliverAsMessage(conn: Connection, event: PreparedEvent): void {
    const where = `the eventHub.subscribe callback for "${event.topic}"`
    try {
      const callback = this.#callbacks.find(conn.record.channelId, event.topic)
      const sending = callback ? callback(event.bytes ?? eventData(event)) : event.bytes ? conn.send(event.bytes) : this.send(conn, { type: 'message', data: eventData(event) })
      if (sending instanceof Promise) sending.catch((error: unknown) => this.#host.report(error, conn, where))
    } catch (error) {
      this.#host.report(error, conn, where)
    }
  }

  /** A reply that cannot be encoded (or whose middleware failed) still answers its request. */
  #unsendable(conn: Connection, event: ChannelEvent, error: unknown): void {
    const payload = this.#host.report(error, conn, `sending a ${event.type}`)
    if (event.type === 'reply') conn.send(this.#wire.error(event.action, event.id, payload))
  }
}
