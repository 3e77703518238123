import type { ChannelClient } from './channel-client'
import type { AnyShape, ChannelShape } from './channel-shape'
import type { SubscribeOptions, Subscription } from './subscriptions'
import type { ActionInput, ActionOutput, EventMeta, PayloadOf, SendArgs } from './types'

/** An action name of a shape. */
export type RouteAction<Shape extends AnyShape> = keyof Shape['actions'] & string

/** A topic of a shape (a wired channel's pattern `news:*` comes in as `news:${string}`, so the pattern itself fits too). */
export type RouteTopic<Shape extends AnyShape> = keyof Shape['topics'] & string

/** What a route calls for each event of a topic. */
export type RouteCallback<Shape extends AnyShape, Topic extends string> = (data: PayloadOf<Shape['topics'], Topic>, meta: EventMeta) => void

/**
 * One channel as `PikkuWebSocket.getRoute(name)` hands it out, under the names
 * Pikku's generated client uses (`send`, `subscribe`, `unsubscribe`). It keeps
 * no connection state of its own: every call goes to the one `ChannelClient`
 * underneath, so requests, timeouts, reconnects and resubscription with
 * `since` all behave as they do there. What it adds is the bookkeeping Pikku's
 * `unsubscribe(topic, callback?)` needs: the client's handle for each callback.
 */
export class PikkuRouteHandler<Shape extends AnyShape = ChannelShape> {
  readonly #client: ChannelClient
  /** Topic -> callback -> the handle `subscribe` returned for it. */
  readonly #handles = new Map<string, Map<unknown, Subscription>>()

  constructor(
    /** The channel's name, as `getRoute` was given it. */
    readonly channel: string,
    client: ChannelClient,
  ) {
    this.#client = client
  }

  /**
   * Calls an action and resolves with its typed result, or rejects with a
   * `ChannelClientError` (the server's error code, or `TIMEOUT`, `DISCONNECTED`, ...).
   * The input may be left out when the action takes none or all of it is optional.
   */
  send<Action extends RouteAction<Shape>>(action: Action, ...[data, options]: SendArgs<ActionInput<Shape['actions'], Action>>): Promise<ActionOutput<Shape['actions'], Action>> {
    return this.#client.send(action, data, options) as Promise<ActionOutput<Shape['actions'], Action>>
  }

  /**
   * Subscribes to an EventHub topic the channel declares (`$subscribe`);
   * `callback` gets each event's payload once, in order, across reconnects.
   * Subscribing the same callback to the same topic again returns the first
   * handle, unless the server refused that one. Returns the handle: `ready` (the server's acknowledgement) and
   * `unsubscribe()`.
   */
  subscribe<Topic extends RouteTopic<Shape>>(topic: Topic, callback: RouteCallback<Shape, Topic>, options?: SubscribeOptions): Subscription {
    const callbacks = this.#handles.get(topic) ?? new Map<unknown, Subscription>()
    const existing = callbacks.get(callback)
    if (existing) return existing
    const inner = this.#client.subscribe(topic, callback as (data: unknown, meta: EventMeta) => void, options)
    const forget = () => {
      if (callbacks.get(callback) === handle) callbacks.delete(callback)
      if (callbacks.size === 0 && this.#handles.get(topic) === callbacks) this.#handles.delete(topic)
    }
    const handle: Subscription = {
      ready: inner.ready,
      unsubscribe: () => {
        forget()
        inner.unsubscribe()
      },
    }
    callbacks.set(callback, handle)
    this.#handles.set(topic, callbacks)
    // A refused subscription (or one the closing client gave up) is over: subscribing again must ask again.
    inner.ready.catch(forget)
    return handle
  }

  /**
   * Pikku's form of `Subscription.unsubscribe()`: one callback of a topic, or
   * every callback of the topic, or (no arguments) everything this route
   * subscribed. The server subscription ends when its last callback goes.
   */
  unsubscribe<Topic extends RouteTopic<Shape>>(topic?: Topic, callback?: RouteCallback<Shape, Topic>): void {
    const topics = topic === undefined ? [...this.#handles.keys()] : [topic]
    for (const each of topics) {
      const callbacks = this.#handles.get(each)
      if (!callbacks) continue
      const chosen = callback === undefined ? [...callbacks.values()] : [callbacks.get(callback)]
      for (const handle of chosen) handle?.unsubscribe()
    }
  }
}
